import { defineConfig } from "@playwright/test";

// Debian's Chromium (apt), never `playwright install` (no internet; SECURITY.md recipe).
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
];

export default defineConfig({
  testDir: "./tests",
  testMatch: /.*\.spec\.ts$/,
  // One server, one owner: the journey is ordered (setup first), so run serially.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  outputDir: "test-results/artifacts",
  reporter: [["list"], ["json", { outputFile: "test-results/results.json" }]],
  globalSetup: "./tests/global-setup.ts",
  // "hub": every feature against a hub without rate limits (timing is not what they test).
  // "live-limits": the owner's journey against a second hub with the live `moltbook` limits.
  projects: [
    { name: "hub", testIgnore: /05-live-limits\.spec\.ts$/ },
    { name: "live-limits", testMatch: /05-live-limits\.spec\.ts$/ },
  ],
  globalTeardown: "./tests/global-teardown.ts",
  use: {
    browserName: "chromium",
    headless: true,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    viewport: { width: 1280, height: 900 },
    trace: "off",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
});
