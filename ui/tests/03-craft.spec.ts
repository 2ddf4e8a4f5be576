/**
 * The app as an owner uses it every day, at a phone's width (390 px) and a laptop's (1280 px):
 * the shell (bottom tab bar on phones, one-row header with the signed-in owner and an account
 * menu), cards (plain-text excerpts, capped thumbnails, a tap anywhere opens the post),
 * markdown task lists, loading skeletons, keyboard shortcuts, human error messages, and pages
 * that load without console errors (no hydration error on /login, no CSP error on a 404).
 */
import { test, expect, type Page } from "@playwright/test";
import { AUTH_STATE, agentApi, registerAgent, server } from "./server";

test.describe.configure({ mode: "serial" });
test.use({ storageState: AUTH_STATE });

const WIDTHS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
] as const;

let writer: { key: string; id: string; name: string };
let mdPost = "";

test.beforeAll(async () => {
  writer = await registerAgent("writer", "codex");
  const p = await agentApi<{ post: { id: string } }>(writer.key, "POST", "/posts", {
    submolt_name: "general",
    title: "Benchmark notes",
    content: "## Summary\n\nI compared **three** [parsers](https://example.org/) and `one` more.\n\n- [x] measured\n- [ ] written up",
  });
  mdPost = p.post.id;
});

/** Console errors and uncaught exceptions of a page (resource 4xx the test causes on purpose
 * are filtered by the caller). */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

for (const vp of WIDTHS) {
  test.describe(`${vp.name} ${vp.width}px`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height } });

    test("shell: tabs, one-row header with the owner, account menu", async ({ page }) => {
      const errors = watchConsole(page);
      await page.goto(server().base + "/");
      await expect(page.getByTestId("post-card").first()).toBeVisible();
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link")).toHaveText([/Feed/, /Inbox/, /Messages/, /Agents/, /More/]);
      const navBox = (await nav.boundingBox())!;
      const header = (await page.locator("header").boundingBox())!;
      expect(header.height, "the header is one row").toBeLessThanOrEqual(64);
      if (vp.width < 720) expect(navBox.y + navBox.height, "tab bar at the bottom").toBeGreaterThanOrEqual(vp.height - 1);
      else expect(navBox.y, "tabs in the header").toBeLessThan(header.height);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, "nothing wider than the screen").toBeLessThanOrEqual(0);
      // every tab is on screen and big enough to hit
      for (const link of await nav.getByRole("link").all()) {
        const b = (await link.boundingBox())!;
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width).toBeLessThanOrEqual(vp.width);
        expect(b.height).toBeGreaterThanOrEqual(40);
      }
      const account = page.getByTestId("account-button");
      await expect(account).toContainText("alice");
      await account.click();
      await expect(page.getByRole("link", { name: "Settings and security" })).toBeVisible();
      await page.keyboard.press("Escape");
      await expect(page.getByRole("link", { name: "Settings and security" })).toBeHidden();
      await nav.getByRole("link", { name: /More/ }).click();
      await expect(page.getByRole("heading", { name: "More" })).toBeVisible();
      await expect(nav.getByRole("link", { name: /More/ })).toHaveAttribute("aria-current", "page");
      for (const name of ["New post", "Search", "Settings and security"]) await expect(page.locator("main").getByRole("link", { name })).toBeVisible();
      await expect(page.locator("main").getByRole("button", { name: "Log out" })).toBeVisible();
      expect(errors).toEqual([]);
    });

    test("cards: plain-text excerpt, a tap anywhere opens the post, task lists", async ({ page }) => {
      const errors = watchConsole(page);
      await page.goto(server().base + "/?sort=new");
      const card = page.getByTestId("post-card").filter({ hasText: "Benchmark notes" });
      await expect(card).toBeVisible();
      const text = await card.innerText();
      expect(text).toContain("Summary I compared three parsers and one more.");
      expect(text).not.toMatch(/##|\*\*|\]\(|`|\[x\]/);
      // tap the excerpt, not the title
      await card.locator("p").filter({ hasText: "Summary" }).click({ force: true }); // lands on the stretched title link
      await expect(page).toHaveURL(new RegExp(`/post/${mdPost}$`));
      const body = page.locator("main article").first();
      await expect(body).toContainText("☑ measured");
      await expect(body).toContainText("☐ written up");
      await expect(body).not.toContainText("[x]");
      expect(errors).toEqual([]);
    });

    test("image cards show a thumbnail of capped height", async ({ page }) => {
      await page.goto(server().base + "/?sort=new");
      const img = page.getByTestId("post-card").filter({ hasText: "A picture" }).locator("img");
      await expect(img).toBeVisible();
      const b = (await img.boundingBox())!;
      expect(b.height).toBeLessThanOrEqual(262);
      expect(b.width).toBeLessThanOrEqual(vp.width);
    });

    test("skeletons while loading", async ({ page }) => {
      let release: () => void = () => {};
      const held = new Promise<void>((r) => (release = r));
      await page.route(/\/api\/v1\/posts\?/, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(server().base + "/");
      await expect(page.getByTestId("skeleton").first()).toBeVisible();
      await expect(page.getByTestId("post-card")).toHaveCount(0);
      release();
      await expect(page.getByTestId("post-card").first()).toBeVisible();
      await expect(page.getByTestId("skeleton")).toHaveCount(0);
    });

    // Phones have no keyboard shortcuts to speak of: the journey exists at desktop width only
    // (declared there rather than skipped, so a CI run reports no skips).
    if (vp.width >= 720) {
      test("keyboard shortcuts: j/k, Enter, c, /, ?", async ({ page }) => {
        await page.goto(server().base + "/?sort=new");
        const links = page.getByTestId("post-link");
        await expect(links.nth(1)).toBeVisible();
        await page.keyboard.press("j");
        await expect(links.nth(0)).toBeFocused();
        await page.keyboard.press("j");
        await expect(links.nth(1)).toBeFocused();
        await page.keyboard.press("k");
        await expect(links.nth(0)).toBeFocused();
        const title = await links.nth(0).innerText();
        await page.keyboard.press("Enter");
        await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
        await page.keyboard.press("c");
        await expect(page).toHaveURL(/\/compose$/);
        await page.locator("main h1").click(); // out of the form's first field
        await page.keyboard.press("/");
        await expect(page).toHaveURL(/\/find$/);
        await page.locator("main h1").click();
        await page.keyboard.press("/");
        await expect(page.locator('input[type="search"]')).toBeFocused();
        await page.locator("main h1").click();
        await page.keyboard.press("?");
        const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
        await expect(help).toBeVisible();
        await page.keyboard.press("Escape");
        await expect(help).toBeHidden();
      });
    }

    test("agents page: connect panel with MCP configuration, statuses in words, readable keys", async ({ page }) => {
      const errors = watchConsole(page);
      await page.goto(server().base + "/manage");
      const panel = page.getByTestId("connect-panel");
      await expect(panel).toBeVisible();
      await expect(panel.getByTestId("base-url")).toHaveText(server().base);
      const snippet = panel.getByTestId("snippet");
      await expect(snippet).toContainText(`claude mcp add --transport http agent-hub ${server().base}/mcp`);
      await expect(snippet).toContainText('--header "Authorization: Bearer moltbook_sk_..."');
      for (const [tab, text] of [["Codex", 'bearer_token_env_var = "AGENT_HUB_API_KEY"'], ["Goose", `uri: ${server().base}/mcp`], ["curl", `${server().base}/api/v1/agents/me`], ["Python SDK", "from agent_hub_client import Client"]] as const) {
        await panel.getByRole("tab", { name: tab }).click();
        await expect(panel.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
        await expect(snippet).toContainText(text);
      }
      await expect(page.locator("main")).not.toContainText("pending_claim");
      // a key prefix stays on one line
      const prefix = page.getByTestId("managed-agent").first().locator("code").first();
      const h = (await prefix.boundingBox())!.height;
      expect(h).toBeLessThan(30);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      if (vp.width < 720) {
        // still readable on the narrowest common phone
        await page.setViewportSize({ width: 360, height: 780 });
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
        expect((await prefix.boundingBox())!.height).toBeLessThan(30);
        await expect(page.getByTestId("managed-agent").first()).toContainText(/Active|Waiting for approval|Disabled/);
      }
      expect(errors).toEqual([]);
    });

    test("errors speak to a human and offer a way on", async ({ page }) => {
      await page.goto(server().base + "/post/does-not-exist");
      const alert = page.locator("main").getByRole("alert");
      await expect(alert).toBeVisible();
      await expect(alert).not.toContainText(/\/api\/v1|GET |POST /);
      await expect(alert.getByRole("link", { name: "Back to the feed" })).toBeVisible();
      await page.goto(server().base + "/m/no-such-community");
      await expect(page.locator("main").getByRole("alert").first()).toBeVisible();
      for (const t of await page.locator("main").getByRole("alert").allInnerTexts()) expect(t).not.toMatch(/\/api\/v1|GET |POST /);
    });

    test("a 404 page has no console or CSP errors", async ({ page }) => {
      const errors = watchConsole(page);
      const r = await page.goto(server().base + "/no/such/page");
      expect(r?.status()).toBe(404);
      await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
      await page.getByRole("link", { name: "Back to the feed" }).click();
      await expect(page.getByTestId("post-card").first()).toBeVisible();
      expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    });
  });
}

test("a direct load of /login hydrates without errors (passkey support decided in the browser)", async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: server().base, storageState: { cookies: [], origins: [] } });
  const page = await ctx.newPage();
  const errors = watchConsole(page);
  await page.goto(server().base + "/login");
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeEnabled();
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeEnabled();
  expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  await ctx.close();
});
