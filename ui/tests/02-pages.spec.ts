/**
 * Every page at a phone's width (390 px) and a laptop's (1280 px): axe-core with no serious or
 * critical violation, no console error and no CSP violation, nothing wider than the screen,
 * screenshots (test-results/screenshots/). Then the feed's first-load JavaScript (gzip; budget
 * 160 KB) and the time until the feed is visible, written to test-results/perf.json.
 */
import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { AUTH_STATE, server, TESTS_DIR } from "./server";

const OUT = join(TESTS_DIR, "..", "test-results");
const SHOTS = join(OUT, "screenshots");

function journey(): { ownPostUrl: string; agent: string } {
  return JSON.parse(readFileSync(join(OUT, "journey.json"), "utf8"));
}

test.describe.configure({ mode: "serial" });
test.use({ storageState: AUTH_STATE });

const PAGES: { name: string; path: () => string; ready: (p: Page) => Promise<void> }[] = [
  { name: "feed", path: () => "/", ready: async (p) => void (await expect(p.getByTestId("post-card").first()).toBeVisible()) },
  { name: "post", path: () => new URL(journey().ownPostUrl).pathname, ready: async (p) => void (await expect(p.locator("[data-testid=comment] audio").first()).toBeVisible()) },
  { name: "compose", path: () => "/compose", ready: async (p) => void (await expect(p.getByLabel("Title")).toBeVisible()) },
  { name: "inbox", path: () => "/inbox", ready: async (p) => void (await expect(p.getByTestId("notification").first()).toBeVisible()) },
  { name: "messages", path: () => "/messages", ready: async (p) => void (await expect(p.getByTestId("conversation").first()).toBeVisible()) },
  {
    name: "conversation",
    path: () => "/messages",
    ready: async (p) => {
      await p.getByTestId("conversation").first().click();
      await expect(p.getByTestId("dm-message").first()).toBeVisible();
    },
  },
  { name: "agents", path: () => "/manage", ready: async (p) => void (await expect(p.getByTestId("connect-panel")).toBeVisible()) },
  { name: "search", path: () => "/find?q=agent", ready: async (p) => void (await expect(p.getByRole("heading", { name: "Posts" })).toBeVisible()) },
  { name: "settings", path: () => "/settings", ready: async (p) => void (await expect(p.getByTestId("session").first()).toBeVisible()) },
  { name: "profile", path: () => `/u/${journey().agent}`, ready: async (p) => void (await expect(p.getByRole("heading", { name: "Recent posts" })).toBeVisible()) },
  { name: "submolt", path: () => "/m/general", ready: async (p) => void (await expect(p.getByTestId("post-card").first()).toBeVisible()) },
  { name: "more", path: () => "/more", ready: async (p) => void (await expect(p.getByRole("heading", { name: "More" })).toBeVisible()) },
  { name: "moderation", path: () => "/moderation", ready: async (p) => void (await expect(p.getByRole("heading", { name: "Log" })).toBeVisible()) },
  { name: "activity", path: () => `/activity?agent=${journey().agent}`, ready: async (p) => void (await expect(p.getByTestId("activity-counts")).toBeVisible()) },
  { name: "not-found", path: () => "/no/such/page", ready: async (p) => void (await expect(p.getByRole("heading", { name: "Page not found" })).toBeVisible()) },
];

const WIDTHS = [
  { tag: "390", width: 390, height: 844 },
  { tag: "1280", width: 1280, height: 800 },
];

test.beforeAll(() => {
  mkdirSync(SHOTS, { recursive: true });
  expect(existsSync(AUTH_STATE)).toBe(true);
});

/** Serious and critical axe violations, as "rule: targets" lines (empty when clean). */
async function axe(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    // The 404 page's document answers 404 on purpose.
    if ((m.type() === "error" && !/status of 404/.test(m.text())) || /Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

for (const w of WIDTHS) {
  for (const pg of PAGES) {
    test(`${pg.name} at ${w.tag} px: no serious axe violation, no console error, fits the screen`, async ({ page }) => {
      const errors = watch(page);
      await page.setViewportSize({ width: w.width, height: w.height });
      await page.goto(server().base + pg.path());
      await pg.ready(page);
      expect(await axe(page)).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `no horizontal scrolling at ${w.width} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, `${pg.name}-${w.tag}.png`), fullPage: w.width > 720 });
      if (pg.name === "post") {
        await page.locator("[data-testid=comment] audio").first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, `post-voice-comment-${w.tag}.png`) });
      }
      expect(errors).toEqual([]);
    });
  }
}

test("login page (signed out): accessible, keyboard reachable", async ({ browser }) => {
  // Playwright applies `use` options to browser.newContext() too: start without the session.
  const ctx = await browser.newContext({ baseURL: server().base, storageState: { cookies: [], origins: [] } });
  const page = await ctx.newPage();
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(await axe(page)).toEqual([]);
  await page.keyboard.press("Tab"); // skip link
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Agent Hub" })).toBeFocused();
  await page.screenshot({ path: join(SHOTS, "login-1280.png") });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await axe(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, "login-390.png") });
  await ctx.close();
});

test("security headers on an HTML page", async ({ request }) => {
  const r = await request.get(`${server().base}/login`, { headers: { Accept: "text/html" } });
  const csp = r.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "connect-src 'self'"]) expect(csp).toContain(d);
  expect(csp).not.toContain("unsafe-inline");
  expect(r.headers()["x-content-type-options"]).toBe("nosniff");
  const html = await r.text();
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
  const again = await request.get(`${server().base}/login`, { headers: { Accept: "text/html" } });
  expect(again.headers()["content-security-policy"]).not.toBe(csp); // fresh nonce per request
  const js = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)![1]!;
  const asset = await request.get(`${server().base}${js}`);
  expect(asset.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
});

test("measure the feed: first-load JS (gzip, budget 160 KB) and time until the feed is visible", async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: server().base, storageState: AUTH_STATE, viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  const scripts: { url: string; raw: number; gzip: number }[] = [];
  page.on("response", async (res) => {
    if (res.request().resourceType() !== "script") return;
    try {
      const body = await res.body();
      scripts.push({ url: new URL(res.url()).pathname, raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
    } catch {
      /* ignore */
    }
  });
  const t0 = Date.now();
  await page.goto("/");
  await expect(page.getByTestId("post-card").first()).toBeVisible();
  const feedVisibleMs = Date.now() - t0;
  await page.waitForLoadState("networkidle");
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return { ttfb: n.responseStart, domInteractive: n.domInteractive, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  const totalGzip = scripts.reduce((a, s) => a + s.gzip, 0);
  const totalRaw = scripts.reduce((a, s) => a + s.raw, 0);
  const perf = {
    measured_at: new Date().toISOString(),
    viewport: "390x844",
    budget_gzip_kb: 160,
    first_load_js_gzip_kb: +(totalGzip / 1024).toFixed(1),
    first_load_js_raw_kb: +(totalRaw / 1024).toFixed(1),
    script_count: scripts.length,
    timings_ms: { ...Object.fromEntries(Object.entries(nav).map(([k, v]) => [k, Math.round(v)])), feed_visible: feedVisibleMs },
    scripts: scripts.sort((a, b) => b.gzip - a.gzip),
  };
  writeFileSync(join(OUT, "perf.json"), JSON.stringify(perf, null, 2));
  test.info().annotations.push({ type: "perf", description: `first-load JS ${perf.first_load_js_gzip_kb} KB gzip; TTI ~${perf.timings_ms.domContentLoaded} ms; feed visible ${feedVisibleMs} ms` });
  console.log(`feed: first-load JS ${perf.first_load_js_gzip_kb} KB gzip (${perf.first_load_js_raw_kb} KB raw, ${scripts.length} scripts); domInteractive ${perf.timings_ms.domInteractive} ms; DCL ${perf.timings_ms.domContentLoaded} ms; feed visible ${feedVisibleMs} ms`);
  expect(perf.first_load_js_gzip_kb, "first-load JS within the 160 KB gzip budget").toBeLessThanOrEqual(160);
  await ctx.close();
});
