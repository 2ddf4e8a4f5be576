/**
 * The owner's hub under the live limits (its own server, `AGENT_HUB_RATE_LIMITS=moltbook`, a
 * fresh first-run owner): the owner creates five agents in the UI; all five post and comment at
 * once through their keys; the owner posts twice in a row, replies to an agent's comment, opens
 * a DM with an agent and gets its answer, removes a post, locks a thread and resolves a report.
 * Every response the page sees and every agent call is recorded: none is a 429, and the console
 * stays clean.
 */
import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import { liveServer } from "./server";

test.describe.configure({ mode: "serial" });

const OWNER = "liveowner";
const AGENTS = ["ada", "brook", "cyra", "dune", "ember"];

let context: BrowserContext;
let page: Page;
const seen: string[] = []; // "<status> <method> <path>" of every response the page got
const agentCalls: string[] = []; // the same for the agents' own API calls
const consoleErrors: string[] = [];
const keys = new Map<string, string>();

/** An agent's API call on the live hub; records the status, throws on a refusal. */
async function api<T = Record<string, unknown>>(key: string, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${liveServer().base}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  agentCalls.push(`${res.status} ${method} ${path}`);
  const data = (await res.json().catch(() => ({}))) as T;
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${JSON.stringify(data)}`);
  return data;
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ baseURL: liveServer().base });
  page = await context.newPage();
  page.on("response", (r) => {
    const u = new URL(r.url());
    seen.push(`${r.status()} ${r.request().method()} ${u.pathname}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  page.on("dialog", (d) => void (d.type() === "prompt" ? d.accept("off topic") : d.accept()));
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
});

test.afterAll(async () => {
  await context.close();
});

test("a new owner creates five agents in the UI", async () => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Setup token").fill(liveServer().setupToken);
  await page.getByLabel("Username").fill(OWNER);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Create passkey" }).click();
  await expect(page.getByText("Your passkey is saved and you are signed in.")).toBeVisible();
  for (const name of AGENTS) {
    await page.goto("/manage");
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Create agent and key" }).click();
    const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
    if (await stepUp.isVisible().catch(() => false)) await stepUp.getByRole("button", { name: "Use passkey" }).click();
    const dlg = page.getByTestId("key-dialog");
    await expect(dlg).toBeVisible();
    keys.set(name, (await dlg.getByTestId("api-key").innerText()).trim());
    await dlg.getByRole("button", { name: "I saved it" }).click();
  }
  await expect(page.getByTestId("managed-agent")).toHaveCount(AGENTS.length);
});

let posts: { name: string; id: string }[] = [];

test("all five agents post and comment at once while the owner watches the feed", async () => {
  await page.goto("/?sort=new");
  await expect(page.locator('section[data-live="on"]')).toBeVisible();
  // Each agent at once: a post, then a comment on each of the others' posts as they arrive.
  posts = await Promise.all(
    AGENTS.map(async (name, i) => {
      const r = await api<{ post: { id: string } }>(keys.get(name)!, "POST", "/posts", {
        submolt_name: "general",
        title: `${name} reports in`,
        content: `Status from ${name}: working on task number ${i + 1} of the sprint.`,
      });
      return { name, id: r.post.id };
    }),
  );
  await Promise.all(
    AGENTS.map(async (name) => {
      for (const p of posts.filter((p) => p.name !== name)) {
        await api(keys.get(name)!, "POST", `/posts/${p.id}/comments`, { content: `${name} read ${p.name}'s status and agrees with the plan.` });
      }
    }),
  );
  // The live feed offers the new posts; showing them loads them.
  await page.getByRole("button", { name: /new post/ }).click();
  for (const name of AGENTS) await expect(page.getByTestId("post-card").filter({ hasText: `${name} reports in` })).toBeVisible();
});

test("the owner posts twice in a row and replies to an agent's comment", async () => {
  for (const title of ["Plan for today", "And one more thing"]) {
    await page.goto("/compose");
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Text (markdown)").fill(`${title}: written by the owner.`);
    await page.getByRole("button", { name: "Post", exact: true }).click();
    await expect(page).toHaveURL(/\/post\//);
    await expect(page.getByRole("heading", { name: title })).toBeVisible();
  }
  await page.goto(`/post/${posts[0]!.id}`);
  const comment = page.getByTestId("comment").filter({ hasText: "brook read ada's status" });
  await comment.getByRole("button", { name: "Reply" }).first().click();
  const box = page.getByLabel("Reply to brook");
  await box.fill("Thanks brook, go ahead.");
  await page.locator("form", { has: box }).getByRole("button", { name: "Reply", exact: true }).click();
  await expect(comment.getByTestId("comment").filter({ hasText: "Thanks brook, go ahead." })).toBeVisible();
});

test("the owner opens a DM with an agent and gets its answer", async () => {
  await page.goto("/u/cyra");
  await page.getByRole("link", { name: "Message", exact: true }).click();
  await expect(page).toHaveURL(/\/messages\?to=cyra$/);
  await page.getByLabel("First message").fill("Cyra, how far along is task 3?");
  await page.getByRole("button", { name: "Start conversation" }).click();
  const chat = page.getByTestId("chat");
  await expect(chat.getByTestId("dm-message").filter({ hasText: "how far along is task 3" })).toContainText("You");
  const key = keys.get("cyra")!;
  const convs = await api<{ conversations: { items: { conversation_id: string; with_agent: { name: string } }[] } }>(key, "GET", "/agents/dm/conversations");
  const conv = convs.conversations.items.find((c) => c.with_agent.name === OWNER)!.conversation_id;
  await api(key, "POST", `/agents/dm/conversations/${conv}/send`, { message: "Half done, tests are green so far." });
  await expect(chat.getByTestId("dm-message").filter({ hasText: "Half done, tests are green" })).toContainText("cyra"); // live
});

test("the owner removes a post, locks a thread and resolves a report", async () => {
  const [, , , dune, ember] = posts;
  await page.goto(`/post/${dune!.id}`);
  await page.getByRole("button", { name: "Remove post" }).click();
  await expect(page.getByRole("heading", { name: "[removed]" })).toBeVisible();

  await page.goto(`/post/${ember!.id}`);
  await expect(page.locator('article[data-live="on"]')).toBeVisible();
  await expect(page.getByTestId("report-count")).toHaveCount(0);
  await api(keys.get("ada")!, "POST", `/posts/${ember!.id}/report`, { reason: "off topic for general" });
  await expect(page.getByTestId("report-count")).toHaveText(/reports to review: 1$/); // live
  await page.getByRole("button", { name: "Lock thread" }).click();
  await expect(page.getByRole("button", { name: "Unlock thread" })).toBeVisible();
  await expect(api(keys.get("brook")!, "POST", `/posts/${ember!.id}/comments`, { content: "one more from brook" })).rejects.toThrow(/-> 403/);

  await page.goto("/moderation");
  const report = page.getByTestId("report").filter({ hasText: "ember reports in" });
  await expect(report).toContainText("off topic for general");
  await report.getByRole("button", { name: "Resolved" }).click();
  await expect(page.getByText("Reports resolved.")).toBeVisible();
  await expect(page.getByTestId("report")).toHaveCount(0);
  await expect(page.getByTestId("report-count")).toHaveCount(0);
});

test("no 429 anywhere, no console error", async () => {
  const api429 = seen.filter((s) => s.startsWith("429 "));
  const agent429 = agentCalls.filter((s) => s.startsWith("429 "));
  expect(api429, "responses the page saw").toEqual([]);
  expect(agent429, "the agents' calls").toEqual([]);
  // the journey really went through the API under the live profile
  expect(seen.filter((s) => / \/api\/v1\//.test(s)).length).toBeGreaterThan(40);
  expect(agentCalls.length).toBeGreaterThanOrEqual(AGENTS.length * AGENTS.length);
  const limits = await fetch(`${liveServer().base}/api/v1/posts?limit=1`).then((r) => r.headers.get("x-ratelimit-limit"));
  expect(limits, "an anonymous reader meets the Moltbook number").toBe("60");
  expect(consoleErrors, seen.filter((s) => !/^[23]/.test(s)).join("\n")).toEqual([]);
});
