/**
 * The owner's journey on a real server, in order: first-run setup with a passkey (Chrome's
 * virtual authenticator) plus a password + TOTP fallback, logout, passkey login, password +
 * TOTP login, posting (post, comment, reply, vote), media with descriptions, live arrival of
 * an agent's comment and post, approving a pending agent, revoking a session from another
 * browser, and agent-written XSS rendered inert.
 */
import { test, expect, type BrowserContext, type CDPSession, type Page } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { agentApi, agentUpload, cli, nextTotpStep, registerAgent, server, totp, TESTS_DIR, AUTH_STATE } from "./server";
import { png, wav } from "./media";

export const OWNER = "alice";
export const PASSWORD = "correct horse battery staple 42";

test.describe.configure({ mode: "serial" });

let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
let totpSecret = "";
let backupCodes: string[] = [];
let agent: { key: string; id: string; name: string };
const cspViolations: string[] = [];
const consoleErrors: string[] = [];

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ baseURL: server().base, permissions: ["clipboard-read", "clipboard-write"] });
  page = await context.newPage();
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) cspViolations.push(m.text());
    else if (m.type() === "error" && !expectedError(m.text())) consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const r = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  authenticatorId = r.authenticatorId;
  agent = await registerAgent("scout", "claude");
});

test.afterAll(async () => {
  await context.close();
});

/** Console errors a journey step causes on purpose: the failed sign-in (401) and the API
 * refusing a javascript: link (400) are answers the page shows, not faults. */
let expecting: RegExp | null = null;
function expectedError(text: string): boolean {
  return !!expecting && expecting.test(text);
}

async function logout() {
  await page.getByTestId("account-button").click();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
}

test("first-run setup: passkey, then password + TOTP fallback and backup codes", async () => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Setup token").fill(server().setupToken);
  await page.getByLabel("Username").fill(OWNER);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Name for this passkey (optional)").fill("Test laptop");
  await page.getByRole("button", { name: "Create passkey" }).click();
  await expect(page.getByText("Your passkey is saved and you are signed in.")).toBeVisible();
  const creds = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(creds.credentials).toHaveLength(1);
  expect(creds.credentials[0]!.isResidentCredential).toBe(true);
  expect(creds.credentials[0]!.rpId).toBe("localhost");

  await page.getByRole("button", { name: "Add password + authenticator" }).click();
  await page.getByLabel("New password (at least 15 characters)").fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByTestId("totp-qr")).toBeVisible();
  const src = await page.getByTestId("totp-qr").getAttribute("src");
  expect(src?.startsWith("data:image/png;base64,")).toBe(true); // rendered locally
  totpSecret = (await page.getByTestId("totp-secret").innerText()).trim();
  await page.getByLabel("Code from the app").fill(totp(totpSecret));
  await page.getByRole("button", { name: "Confirm code" }).click();
  await expect(page.getByTestId("backup-codes")).toBeVisible();
  backupCodes = (await page.getByTestId("backup-codes").locator("li").allInnerTexts()).map((s) => s.trim());
  expect(backupCodes.length).toBeGreaterThanOrEqual(8);
  await page.getByRole("button", { name: /I saved them/ }).click();
  await expect(page.getByRole("heading", { name: "Feed" })).toBeVisible();
  // The first feed is empty: it says so and leads to creating an agent.
  const empty = page.getByTestId("empty-feed");
  await expect(empty).toContainText("no agent has posted yet");
  await empty.getByRole("link", { name: "Create your first agent" }).click();
  await expect(page).toHaveURL(/\/manage#create$/);
  await expect(page.getByRole("heading", { name: "Create an agent" })).toBeVisible();
  // The header says who is signed in.
  await expect(page.getByTestId("account-button")).toContainText(OWNER);
  await page.goto("/");
});

test("logout, then passkey login", async () => {
  await logout();
  // the old session is dead: the API says so
  const me = await page.request.get("/api/v1/agents/me");
  expect(me.status()).toBe(401);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { name: "Feed" })).toBeVisible();
  const me2 = await page.request.get("/api/v1/agents/me");
  expect(me2.status()).toBe(200);
  expect((await me2.json()).agent.type).toBe("human");
});

test("password + TOTP login, with a non-revealing error first", async () => {
  await logout();
  await page.getByRole("button", { name: /Use password/ }).click();
  await page.getByLabel("Username").fill(OWNER);
  await page.getByLabel("Password").fill("wrong password entirely 123");
  await page.getByLabel("6-digit code").fill("000000");
  expecting = /status of 401/;
  // The browser reports the refused request on its own time, sometimes after the page shows the
  // error: wait for that report before closing the window it is expected in.
  const reported = page.waitForEvent("console", (m) => m.type() === "error" && /status of 401/.test(m.text()));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("login-error")).toContainText("Invalid credentials");
  await reported;
  expecting = null;
  await nextTotpStep(); // the enrolment code's time step cannot be used again
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("6-digit code").fill(totp(totpSecret));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Feed" })).toBeVisible();
});

let ownPostUrl = "";
let helperKey = "";

test("posting journey: post, comment, reply; vote on an agent's post", async () => {
  await page.goto("/compose");
  await page.getByLabel("Title").fill("Hello from the owner");
  await page.getByLabel("Text (markdown)").fill("First **post** from the human.");
  await page.getByRole("button", { name: "Post", exact: true }).click();
  await expect(page).toHaveURL(/\/post\//);
  ownPostUrl = page.url();
  await expect(page.getByRole("heading", { name: "Hello from the owner" })).toBeVisible();
  await expect(page.locator("strong", { hasText: "post" })).toBeVisible();
  await expect(page.locator(".badge.human").first()).toBeVisible();

  await page.getByLabel("Add a comment").fill("A top-level comment");
  await page.getByRole("button", { name: "Comment", exact: true }).click();
  const first = page.getByTestId("comment").filter({ hasText: "A top-level comment" });
  await expect(first).toBeVisible();
  await first.getByRole("button", { name: "Reply" }).first().click();
  await page.getByLabel(`Reply to ${OWNER}`).fill("A nested reply");
  await page.getByRole("button", { name: "Reply", exact: true }).last().click();
  await expect(first.getByTestId("comment").filter({ hasText: "A nested reply" })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("comment")).toHaveCount(2);

  const p = await agentApi<{ post: { id: string } }>(agent.key, "POST", "/posts", { submolt_name: "general", title: "Agent thoughts", content: "Vote on me" });
  await page.goto(`/post/${p.post.id}`);
  await expect(page.locator(".badge", { hasText: "claude" }).first()).toBeVisible();
  await page.getByRole("button", { name: "Upvote Agent thoughts" }).click();
  await expect(page.getByRole("button", { name: "Upvote Agent thoughts" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("score").first()).toHaveText("1");
  await page.reload();
  await expect(page.getByTestId("score").first()).toHaveText("1");
  await expect(page.getByRole("button", { name: "Upvote Agent thoughts" })).toHaveAttribute("aria-pressed", "true");
});

test("image and audio uploads show their descriptions", async () => {
  await page.goto("/compose");
  await page.getByRole("radio", { name: "image" }).check();
  await page.getByLabel("Title").fill("A picture");
  await page.getByLabel("Image (PNG, JPEG, GIF or WebP)").setInputFiles({ name: "pic.png", mimeType: "image/png", buffer: png() });
  await page.getByRole("button", { name: "Post", exact: true }).click();
  await expect(page).toHaveURL(/\/post\//);
  const caption = page.getByTestId("media-description");
  await expect(caption).not.toContainText("Describing", { timeout: 30_000 });
  const description = (await caption.innerText()).trim();
  expect(description.length).toBeGreaterThan(3);
  await expect(page.locator("figure img")).toHaveAttribute("alt", description);

  await page.goto("/compose");
  await page.getByRole("radio", { name: "audio" }).check();
  await page.getByLabel("Title").fill("A voice note");
  await page.getByLabel("Audio file").setInputFiles({ name: "note.wav", mimeType: "audio/wav", buffer: wav() });
  await page.getByRole("button", { name: "Post", exact: true }).click();
  await expect(page).toHaveURL(/\/post\//);
  const audioCaption = page.getByTestId("media-description");
  await expect(audioCaption).not.toContainText("Transcribing", { timeout: 30_000 });
  expect((await audioCaption.innerText()).trim().length).toBeGreaterThan(3);
  await expect(audioCaption).not.toContainText(/Transcript:\s*Transcript/); // one label, not two
  await expect(page.locator("figure audio")).toBeVisible();
});

test("an agent's comment and post arrive live", async () => {
  await page.goto(ownPostUrl);
  await expect(page.getByTestId("comment")).toHaveCount(2);
  await expect(page.locator('article[data-live="on"]')).toBeVisible(); // subscribed to the post
  const id = ownPostUrl.split("/post/")[1]!;
  await agentApi(agent.key, "POST", `/posts/${id}/comments`, { content: "Live from the agent" });
  await expect(page.getByTestId("comment").filter({ hasText: "Live from the agent" })).toBeVisible();
  await expect(page.getByTestId("unread-count")).toBeVisible(); // the inbox badge updated live

  await page.goto("/?sort=new");
  await expect(page.getByTestId("post-card").first()).toBeVisible();
  await expect(page.locator('section[data-live="on"]')).toBeVisible(); // subscribed to every community
  await agentApi(agent.key, "POST", "/posts", { submolt_name: "general", title: "Fresh agent post", content: "hi" });
  await page.getByRole("button", { name: /1 new post/ }).click();
  await expect(page.getByTestId("post-card").filter({ hasText: "Fresh agent post" })).toBeVisible();
});

test("a comment's voice note and picture show like a post's, live", async () => {
  await page.goto(ownPostUrl);
  await expect(page.locator('article[data-live="on"]')).toBeVisible();
  const id = ownPostUrl.split("/post/")[1]!;
  await agentUpload(agent.key, `/posts/${id}/comments`, { content: "Listen to this" }, { name: "note.wav", type: "audio/wav", data: wav() });
  const voice = page.getByTestId("comment").filter({ hasText: "Listen to this" });
  await expect(voice.locator("audio")).toBeVisible();
  const caption = voice.getByTestId("media-description");
  await expect(caption).not.toContainText("Transcribing", { timeout: 30_000 }); // media_ready, live
  expect((await caption.innerText()).trim().length).toBeGreaterThan(3);
  await agentUpload(agent.key, `/posts/${id}/comments`, { content: "And a picture" }, { name: "pic.png", type: "image/png", data: png() });
  const pic = page.getByTestId("comment").filter({ hasText: "And a picture" });
  await expect(pic.locator("img")).toBeVisible();
  await expect(pic.getByTestId("media-description")).not.toContainText("Describing", { timeout: 30_000 });
  const alt = (await pic.getByTestId("media-description").innerText()).trim();
  await expect(pic.locator("img")).toHaveAttribute("alt", alt);
});

test("inbox: context, jump to the comment (scrolled to and highlighted), mark read", async () => {
  // Each resource once per view: count the requests the post page makes.
  await page.goto("/inbox");
  const item = page.getByTestId("notification").filter({ hasText: "Listen to this" }).first();
  await expect(item).toBeVisible();
  await expect(item.getByTestId("notification-context")).toHaveText("in m/general");
  await expect(item).toContainText(`${agent.name} commented on your post`);
  const calls: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/v1/")) calls.push(u.pathname);
  });
  await item.getByRole("link").click();
  await expect(page).toHaveURL(/\/post\/[^#]+#c-/);
  const target = page.locator('[data-testid="comment"][data-highlight="true"]');
  await expect(target).toContainText("Listen to this");
  await expect(target).toBeInViewport();
  await expect(page.getByTestId("comment").first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  const count = (p: RegExp) => calls.filter((c) => p.test(c)).length;
  expect(count(/^\/api\/v1\/posts\/[^/]+\/comments$/), "comments fetched once").toBe(1);
  expect(count(/^\/api\/v1\/posts\/[^/]+$/), "post fetched once").toBe(1);
  expect(count(/^\/api\/v1\/inbox\/count$/), "unread count not fetched (the socket brings it)").toBeLessThanOrEqual(1);
  await page.goto("/inbox");
  await expect(page.getByTestId("notification").first()).toBeVisible();
  await page.getByRole("button", { name: "Mark all read" }).click();
  await expect(page.getByTestId("unread-count")).toHaveCount(0);
});

test("approve a pending agent", async () => {
  cli("create-agent", "pendy", "--type", "codex", "--pending");
  await page.goto("/manage");
  const row = page.getByTestId("pending-claim").filter({ hasText: "pendy" });
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Approve pendy" }).click();
  await expect(page.getByText("pendy approved.")).toBeVisible();
  await expect(page.getByTestId("pending-claim")).toHaveCount(0);
});

test("create agents: each key in a modal, in view, with its own copy state and the connect snippets", async () => {
  const made: { name: string; key: string }[] = [];
  for (const name of ["helper", "helper2"]) {
    await page.goto("/manage");
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Create agent and key" }).click();
    const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
    if (await stepUp.isVisible().catch(() => false)) await stepUp.getByRole("button", { name: "Use passkey" }).click();
    const dlg = page.getByTestId("key-dialog");
    await expect(dlg).toBeVisible();
    // the modal is in view wherever the form was (it used to render far above the viewport)
    const box = (await dlg.boundingBox())!;
    const vp = page.viewportSize()!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(vp.height / 2);
    const copy = dlg.getByTestId("copy-key");
    await expect(copy).toHaveText(/^Copy key/); // a fresh key starts uncopied
    const key = (await dlg.getByTestId("api-key").innerText()).trim();
    expect(key.startsWith("moltbook_sk_")).toBe(true);
    await copy.click();
    await expect(copy).toHaveText(/^Copied/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    // the connect snippets carry the hub's URL and this key
    const snippet = dlg.getByTestId("snippet");
    await expect(snippet).toContainText(`claude mcp add --transport http ${name} ${server().base}/mcp`);
    await expect(snippet).toContainText(`--header "Authorization: Bearer ${key}"`);
    await dlg.getByRole("tab", { name: "Codex" }).click();
    await expect(snippet).toContainText("[mcp_servers.agent_hub]");
    await expect(snippet).toContainText(`url = "${server().base}/mcp"`);
    await dlg.getByRole("tab", { name: "Goose" }).click();
    await expect(snippet).toContainText("type: streamable_http");
    await expect(snippet).toContainText(`Authorization: Bearer ${key}`);
    const me = await agentApi<{ agent: { name: string } }>(key, "GET", "/agents/me");
    expect(me.agent.name).toBe(name);
    await dlg.getByRole("button", { name: "I saved it" }).click();
    await expect(page.getByTestId("api-key")).toHaveCount(0);
    made.push({ name, key });
  }
  helperKey = made[0]!.key;
  const row = page.getByTestId("managed-agent").filter({ hasText: "helper2" });
  await expect(row).toContainText("karma 0");
  await expect(row).toContainText("Active"); // statuses in words
  await expect(row.locator("code").first()).toContainText("moltbook_sk_");

  // Rotate warns that the running agent needs the new key; cancelling changes nothing.
  let warning = "";
  page.once("dialog", (d) => {
    warning = d.message();
    void d.dismiss();
  });
  await row.getByRole("button", { name: "Rotate" }).click();
  expect(warning).toContain("the running agent needs the new key");
  await agentApi(made[1]!.key, "GET", "/agents/me");
  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: "Rotate" }).click();
  const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
  if (await stepUp.isVisible().catch(() => false)) await stepUp.getByRole("button", { name: "Use passkey" }).click();
  const rotated = (await page.getByTestId("api-key").innerText()).trim();
  expect(rotated).not.toBe(made[1]!.key);
  await expect(page.getByTestId("key-dialog").getByTestId("copy-key")).toHaveText(/^Copy key/);
  await expect(agentApi(made[1]!.key, "GET", "/agents/me")).rejects.toThrow(/401/);
  await agentApi(rotated, "GET", "/agents/me");
  await page.getByRole("button", { name: "I saved it" }).click();
});

test("revoke a session from another browser context", async ({ browser }) => {
  const other = await browser.newContext({ baseURL: server().base });
  const p2 = await other.newPage();
  await p2.goto("/login");
  await p2.getByRole("button", { name: /Use password/ }).click();
  await p2.getByLabel("Username").fill(OWNER);
  await p2.getByLabel("Password").fill(PASSWORD);
  await p2.getByLabel("Backup code").check();
  await p2.getByLabel("Backup code", { exact: true }).last().fill(backupCodes[0]!);
  await p2.getByRole("button", { name: "Sign in" }).click();
  await expect(p2.getByRole("heading", { name: "Feed" })).toBeVisible();

  await page.goto("/settings");
  const otherRow = page.locator('[data-testid="session"][data-current="false"]');
  await expect(otherRow.first()).toBeVisible();
  const before = await otherRow.count();
  await otherRow.first().getByRole("button", { name: "End session" }).click();
  const dlg = page.getByRole("dialog");
  if (await dlg.isVisible().catch(() => false)) await dlg.getByRole("button", { name: "Use passkey" }).click();
  await expect(page.getByText("Session ended.")).toBeVisible();
  await expect(otherRow).toHaveCount(before - 1);

  const r = await p2.request.get("/api/v1/agents/me");
  expect(r.status()).toBe(401);
  await p2.goto("/inbox");
  await expect(p2).toHaveURL(/\/login/);
  await other.close();
});

test("agent-written XSS is rendered inert", async () => {
  const title = `<img src=x onerror="window.__xss=1">`;
  const content = [
    "**bold** <script>window.__xss=2</script>",
    "[bad link](javascript:window.__xss=3) and [good link](https://example.org/)",
    `<img src=x onerror=window.__xss=4> <a href="javascript:window.__xss=5">raw</a>`,
    "![tracker](https://tracker.example/pixel.png)",
  ].join("\n\n");
  const p = await agentApi<{ post: { id: string } }>(agent.key, "POST", "/posts", { submolt_name: "general", title, content });
  await agentApi(agent.key, "POST", `/posts/${p.post.id}/comments`, { content: `<img src=x onerror="window.__xss=6"> [c](javascript:window.__xss=7)` });
  let linkPost: { post: { id: string } } | null = null;
  try {
    linkPost = await agentApi(agent.key, "POST", "/posts", { submolt_name: "general", title: "js link", url: "javascript:window.__xss=8" });
  } catch {
    linkPost = null; // refused by the server: fine too
  }
  const external: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.hostname !== "localhost" && !u.protocol.startsWith("data") && !u.protocol.startsWith("blob")) external.push(r.url());
  });

  for (const path of [`/post/${p.post.id}`, "/?sort=new", ...(linkPost ? [`/post/${linkPost.post.id}`] : [])]) {
    await page.goto(path);
    await expect(page.getByText(title).first()).toBeVisible(); // shown as text
    await page.waitForTimeout(300);
    expect(await page.locator("main img[src='x']").count()).toBe(0);
    expect(await page.locator("main script").count()).toBe(0);
    expect(await page.locator("a[href^='javascript:' i]").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  }
  await page.goto(`/post/${p.post.id}`);
  const good = page.getByRole("link", { name: "good link" });
  await expect(good).toHaveAttribute("rel", "noopener noreferrer nofollow ugc");
  await expect(page.getByTestId("comment")).toHaveCount(1);
  expect(external).toEqual([]); // no third-party requests (markdown images are off)
});

test("direct messages: approve a request; a question for the human is highlighted; reply", async () => {
  const req = await agentApi<Record<string, unknown>>(agent.key, "POST", "/agents/dm/request", { to: OWNER, message: "Hello human, may I message you?" });
  const convId = String(req.conversation_id);
  await page.goto("/messages");
  await expect(page.getByRole("heading", { name: "Requests" })).toBeVisible();
  await page.getByRole("button", { name: "Approve" }).first().click();
  await expect(page.getByRole("heading", { name: "Requests" })).toHaveCount(0);
  const chat = page.getByTestId("chat");
  await expect(chat).toContainText("Hello human, may I message you?"); // approving opens the chat
  // live: the agent's messages appear in the open chat
  await agentApi(agent.key, "POST", `/agents/dm/conversations/${convId}/send`, { message: "Just an update, nothing needed." });
  await agentApi(agent.key, "POST", `/agents/dm/conversations/${convId}/send`, { message: "Should I delete the old branch?", needs_human_input: true });
  const asked = chat.getByTestId("dm-message").filter({ hasText: "Should I delete the old branch?" });
  await expect(asked).toContainText("needs human input");
  await expect(asked).toContainText(agent.name); // bubbles carry the sender's name
  await expect(asked.locator("time")).toBeVisible(); // ... and the time
  await expect(page.getByRole("note").filter({ hasText: "Waiting for you" })).toBeVisible();
  await page.getByLabel("Reply").fill("Yes, delete it.");
  await page.getByRole("button", { name: "Send" }).click();
  const mine = chat.getByTestId("dm-message").filter({ hasText: "Yes, delete it." });
  await expect(mine).toContainText("You");
  await expect(page.getByRole("note").filter({ hasText: "Waiting for you" })).toHaveCount(0); // answered
});

test("direct messages as a chat: Message from a profile and the Agents page, waiting-for-you first, unread marker, two panes or one", async () => {
  // "Message" on a profile starts a conversation (the owner's own agent needs no consent step).
  await page.goto("/u/helper");
  await page.getByRole("link", { name: "Message", exact: true }).click();
  await expect(page).toHaveURL(/\/messages\?to=helper$/);
  await expect(page.getByRole("heading", { name: "New conversation" })).toBeVisible();
  await expect(page.getByLabel("To (agent name)")).toHaveValue("helper");
  await page.getByLabel("First message").fill("Hi helper, how is the build going?");
  await page.getByRole("button", { name: "Start conversation" }).click();
  const chat = page.getByTestId("chat");
  await expect(chat.getByRole("heading", { name: "helper" })).toBeVisible();
  await expect(chat.getByTestId("dm-message").filter({ hasText: "how is the build going" })).toContainText("You");
  const helperConv = new URL(page.url()).searchParams.get("c")!;
  await agentApi(helperKey, "POST", `/agents/dm/conversations/${helperConv}/send`, { message: "Green, all 812 tests pass." });
  await expect(chat.getByTestId("dm-message").filter({ hasText: "Green, all 812" })).toContainText("helper"); // live

  // "Message" on the Agents page opens the existing conversation.
  await page.goto("/manage");
  await page.getByTestId("managed-agent").filter({ has: page.getByRole("link", { name: "helper", exact: true }) }).getByRole("link", { name: "Message", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/messages\\?c=${helperConv}$`));

  // The scout asks something, then the helper chats (newer): the scout's conversation is first.
  const scoutConv = (await agentApi<{ conversations: { items: { conversation_id: string; with_agent: { name: string } }[] } }>(agent.key, "GET", "/agents/dm/conversations")).conversations.items.find((c) => c.with_agent.name === OWNER)!.conversation_id;
  await page.goto("/messages");
  await agentApi(agent.key, "POST", `/agents/dm/conversations/${scoutConv}/send`, { message: "Can I merge to main?", needs_human_input: true });
  await agentApi(helperKey, "POST", `/agents/dm/conversations/${helperConv}/send`, { message: "FYI: deploying now." });
  const convs = page.getByTestId("conversation");
  await expect(convs.first()).toContainText(agent.name);
  await expect(convs.first()).toContainText("needs you");
  await expect(convs.first().getByTestId("conversation-unread")).toContainText("1");
  await expect(convs.nth(1)).toContainText("helper");
  await convs.first().click();
  const marker = page.getByTestId("unread-marker");
  await expect(marker).toContainText("1 new");
  // the marker sits right before the unread message
  await expect(page.getByTestId("chat").locator("li").filter({ has: marker })).toContainText("Can I merge to main?");

  // Desktop: list and chat side by side.
  const list = (await page.getByRole("heading", { name: "Conversations" }).boundingBox())!;
  const pane = (await page.getByTestId("chat").boundingBox())!;
  expect(pane.x).toBeGreaterThan(list.x + 200);
  // Phone: the list, or the chat with a way back.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("chat")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Conversations" })).toBeHidden();
  await page.getByRole("button", { name: "Back to conversations" }).click();
  await expect(page.getByRole("heading", { name: "Conversations" })).toBeVisible();
  await expect(page.getByTestId("chat")).toHaveCount(0);
  await page.getByTestId("conversation").filter({ hasText: "helper" }).click();
  await expect(page.getByTestId("chat").getByTestId("dm-message").last()).toContainText("FYI: deploying now.");
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("search finds posts, agents and media descriptions", async () => {
  await page.goto("/find");
  await page.getByLabel(/Search posts, comments/).fill("Agent thoughts");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/find\?q=Agent/);
  await expect(page.locator("main").getByText("Agent thoughts").first()).toBeVisible();
  await page.goto("/find?q=scout");
  await expect(page.getByRole("heading", { name: "Agents" })).toBeVisible();
  await expect(page.locator("main").getByRole("link", { name: "scout" }).first()).toBeVisible();
  await page.goto("/find?q=red%20and%20blue");
  await expect(page.locator("main").getByText("A picture").first()).toBeVisible();
});

test("the claim page approves an agent from its claim URL", async () => {
  cli("create-agent", "claimy", "--type", "goose", "--pending");
  const list = await page.request.get("/api/v1/claims");
  const claim = ((await list.json()).agents as { name: string; claim_url: string }[]).find((a) => a.name === "claimy")!;
  expect(claim.claim_url.startsWith(`${server().base}/claim/`)).toBe(true);
  await page.goto(new URL(claim.claim_url).pathname);
  await expect(page.getByRole("heading", { name: "Claim an agent" })).toBeVisible();
  await expect(page.locator("main")).toContainText("claimy");
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("claimy is now active.")).toBeVisible();
});

test("revoking an agent's key takes effect at once", async () => {
  const helperKey = await page.request.post("/api/v1/keys/agents", {
    headers: { "X-Requested-With": "agent-hub", "Content-Type": "application/json", Origin: server().base },
    data: { name: "revokee", type: "other", description: "" },
  });
  expect(helperKey.status()).toBe(201);
  const key = (await helperKey.json()).api_key as string;
  await agentApi(key, "GET", "/agents/me");
  await page.goto("/manage");
  const row = page.getByTestId("managed-agent").filter({ hasText: "revokee" });
  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("Key revoked.")).toBeVisible();
  await expect(agentApi(key, "GET", "/agents/me")).rejects.toThrow(/401/);
});

test("settings: rename a passkey", async () => {
  await page.goto("/settings");
  const pk = page.getByTestId("passkey").first();
  await expect(pk).toContainText("Test laptop");
  page.once("dialog", (d) => void d.accept("Work laptop"));
  await pk.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByText("Passkey renamed.")).toBeVisible();
  await expect(page.getByTestId("passkey").first()).toContainText("Work laptop");
  await expect(page.getByRole("heading", { name: "Security events" })).toBeVisible();
  await expect(page.locator("main")).toContainText("passkey renamed");
});

test("no CSP violations and no console errors during the journey; save the session for the next specs", async () => {
  expect(cspViolations).toEqual([]);
  expect(consoleErrors).toEqual([]);
  await context.storageState({ path: AUTH_STATE });
  writeFileSync(join(TESTS_DIR, "..", "test-results", "journey.json"), JSON.stringify({ ownPostUrl, agent: agent.name }));
});
