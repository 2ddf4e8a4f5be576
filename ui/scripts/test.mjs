#!/usr/bin/env node
// `npm test`: build the UI when it is missing or stale, then run the Playwright suite against a
// real server (tests/global-setup.ts starts `agent-hub serve` + the UI's production artifact:
// the standalone `node server.js` that deploy/images/install-ui.sh assembles and ui.Dockerfile runs).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ui = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const inCI = ["1", "true", "yes"].includes(String(process.env.CI ?? "").toLowerCase());
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

if (!existsSync(chromium)) {
  const msg = `ui tests: Chromium not found at ${chromium} (apt-get install chromium; see scripts/debian-packages.txt)`;
  if (inCI) {
    console.error(msg);
    process.exit(1);
  }
  console.warn(`${msg} — skipping the browser tests outside CI`);
  process.exit(0);
}

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)));
  return m;
}

const buildId = join(ui, ".next/BUILD_ID");
const sources = ["src", "public", "package.json", "package-lock.json", "next.config.ts", "tsconfig.json"].map((p) => join(ui, p)).filter(existsSync);
const stale = !existsSync(buildId) || Math.max(...sources.map(newest)) > statSync(buildId).mtimeMs;
if (stale) {
  console.log("ui tests: building the UI (next build)…");
  execFileSync(join(ui, "node_modules/.bin/next"), ["build"], { cwd: ui, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}
// Assemble the standalone app exactly as the image build does (same script, no second build).
const app = join(ui, ".next/production-app");
if (stale || !existsSync(join(app, "server.js"))) {  // `next build` empties .next, this included
  execFileSync("bash", [join(ui, "../deploy/images/install-ui.sh"), "--ui", ui, "--out", app, "--no-build"], { stdio: "inherit" });
}

const r = spawnSync(join(ui, "node_modules/.bin/playwright"), ["test", ...process.argv.slice(2)], { cwd: ui, stdio: "inherit", env: process.env });
process.exit(r.status ?? 1);
