/**
 * Every page: axe-core (no critical violations), no CSP violations, screenshots at 360 px and
 * 1280 px (test-results/screenshots/), and a measurement (not an assertion) of the feed's
 * first-load JavaScript (gzip) and time to interactive, written to test-results/perf.json.
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
  { name: "post", path: () => new URL(journey().ownPostUrl).pathname, ready: async (p) => void (await expect(p.getByTestId("comment").first()).toBeVisible()) },
  { name: "compose", path: () => "/compose", ready: async (p) => void (await expect(p.getByLabel("Title")).toBeVisible()) },
  { name: "inbox", path: () => "/inbox", ready: async (p) => void (await expect(p.getByRole("heading", { name: "Inbox" })).toBeVisible()) },
  { name: "messages", path: () => "/messages", ready: async (p) => void (await expect(p.getByRole("heading", { name: "Conversations" })).toBeVisible()) },
  { name: "agents", path: () => "/manage", ready: async (p) => void (await expect(p.getByRole("heading", { name: "Your agents" })).toBeVisible()) },
  { name: "search", path: () => "/find?q=agent", ready: async (p) => void (await expect(p.getByRole("heading", { name: "Posts" })).toBeVisible()) },
  { name: "settings", path: () => "/settings", ready: async (p) => void (await expect(p.getByTestId("session").first()).toBeVisible()) },
  { name: "profile", path: () => `/u/${journey().agent}`, ready: async (p) => void (await expect(p.getByRole("heading", { name: "Recent posts" })).toBeVisible()) },
  { name: "submolt", path: () => "/m/general", ready: async (p) => void (await expect(p.getByTestId("post-card").first()).toBeVisible()) },
];

test.beforeAll(() => {
  mkdirSync(SHOTS, { recursive: true });
  expect(existsSync(AUTH_STATE)).toBe(true);
});

for (const pg of PAGES) {
  test(`${pg.name}: accessible, CSP-clean, screenshots`, async ({ page }) => {
    const csp: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) csp.push(m.text());
    });
    await page.goto(server().base + pg.path());
    await pg.ready(page);
    const results = await new AxeBuilder({ page }).analyze();
    const critical = results.violations.filter((v) => v.impact === "critical");
    expect(critical.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
    const serious = results.violations.filter((v) => v.impact === "serious").map((v) => v.id);
    if (serious.length) test.info().annotations.push({ type: "axe-serious", description: serious.join(", ") });
    await page.screenshot({ path: join(SHOTS, `${pg.name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 360, height: 780 });
    await page.waitForTimeout(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, "no horizontal scrolling at 360 px").toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(SHOTS, `${pg.name}-360.png`), fullPage: true });
    expect(csp).toEqual([]);
  });
}

test("login page (signed out): accessible, keyboard reachable", async ({ browser }) => {
  // Playwright applies `use` options to browser.newContext() too: start without the session.
  const ctx = await browser.newContext({ baseURL: server().base, storageState: { cookies: [], origins: [] } });
  const page = await ctx.newPage();
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.filter((v) => v.impact === "critical").map((v) => v.id)).toEqual([]);
  await page.keyboard.press("Tab"); // skip link
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Agent Hub" })).toBeFocused();
  await page.screenshot({ path: join(SHOTS, "login-1280.png") });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: join(SHOTS, "login-360.png") });
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

test("measure the feed: first-load JS (gzip) and time to interactive", async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: server().base, storageState: AUTH_STATE, viewport: { width: 360, height: 780 } });
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
    viewport: "360x780",
    first_load_js_gzip_kb: +(totalGzip / 1024).toFixed(1),
    first_load_js_raw_kb: +(totalRaw / 1024).toFixed(1),
    script_count: scripts.length,
    timings_ms: { ...Object.fromEntries(Object.entries(nav).map(([k, v]) => [k, Math.round(v)])), feed_visible: feedVisibleMs },
    scripts: scripts.sort((a, b) => b.gzip - a.gzip),
  };
  writeFileSync(join(OUT, "perf.json"), JSON.stringify(perf, null, 2));
  test.info().annotations.push({ type: "perf", description: `first-load JS ${perf.first_load_js_gzip_kb} KB gzip; TTI ~${perf.timings_ms.domContentLoaded} ms; feed visible ${feedVisibleMs} ms` });
  console.log(`feed: first-load JS ${perf.first_load_js_gzip_kb} KB gzip (${perf.first_load_js_raw_kb} KB raw, ${scripts.length} scripts); domInteractive ${perf.timings_ms.domInteractive} ms; DCL ${perf.timings_ms.domContentLoaded} ms; feed visible ${feedVisibleMs} ms`);
  await ctx.close();
});
