/**
 * Starts a real Agent Hub: the UI's production artifact (`node server.js` from the standalone
 * build that scripts/test.mjs assembles with deploy/images/install-ui.sh, as ui.Dockerfile runs
 * it) on a free loopback port and `agent-hub serve` on
 * another, with AGENT_HUB_UI_UPSTREAM pointing at Next (one URL, as in `make run`), a fresh
 * SQLite data dir, open registration and no rate limits. Public URL http://localhost:PORT so
 * WebAuthn has a valid RP ID. A second pair, started alongside, runs the live `moltbook`
 * limits for the live-limits project (05-live-limits.spec.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LIVE_STATE_FILE, ROOT, STATE_FILE, type ServerState } from "./server";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, ok: (r: Response) => boolean, ms: number, proc: ChildProcess, name: string): Promise<void> {
  const end = Date.now() + ms;
  let last = "";
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`${name} exited early with code ${proc.exitCode}`);
    try {
      const r = await fetch(url, { headers: { Accept: "text/html" } });
      if (ok(r)) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} not ready at ${url}: ${last}`);
}

/** Start one hub (API + UI) with `extra` env on top of the test defaults: its state at once
 * (pids, so teardown can stop it even if it never gets ready), and a promise of readiness. */
async function startHub(label: string, extra: Record<string, string>): Promise<{ state: ServerState; ready: Promise<void> }> {
  const ui = join(ROOT, "ui");
  const agentHub = join(ROOT, ".venv/bin/agent-hub");
  const dataDir = mkdtempSync(join(tmpdir(), `agent-hub-${label}-`));
  const [apiPort, uiPort] = [await freePort(), await freePort()];
  const base = `http://localhost:${apiPort}`;
  const env: Record<string, string> = {
    AGENT_HUB_DATA_DIR: dataDir,
    AGENT_HUB_PUBLIC_URL: base,
    AGENT_HUB_REGISTRATION: "open",
    AGENT_HUB_RATE_LIMITS: "off",
    AGENT_HUB_UI_UPSTREAM: `http://127.0.0.1:${uiPort}`,
    AGENT_HUB_AUDIO_ENGINES: "basic",
    AGENT_HUB_IMAGE_ENGINES: "basic",
    AGENT_HUB_WS_MAX_CONNECTIONS_PER_AGENT: "50",
    AGENT_HUB_LOGIN_IP_PER_MINUTE: "100",
    AGENT_HUB_LOG_LEVEL: "WARNING",
    PYTHONUNBUFFERED: "1",
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === "") delete env[k]; // "" = the product default
  const baseEnv = { ...process.env };
  for (const k of ["DATABASE_URL", "REDIS_URL", "S3_ENDPOINT", "ALLOWED_ORIGINS"]) delete baseEnv[k];
  const suffix = label === "ui" ? "" : `-${label}`;

  const nextLog = createWriteStream(join(ui, "test-results", `next${suffix}.log`));
  const app = join(ui, ".next/production-app");
  const next = spawn(process.execPath, ["server.js"], {
    cwd: app,
    env: { ...baseEnv, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(uiPort), HOSTNAME: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  next.stdout!.pipe(nextLog);
  next.stderr!.pipe(nextLog);

  const apiLog = createWriteStream(join(ui, "test-results", `api${suffix}.log`));
  const api = spawn(agentHub, ["serve", "--host", "127.0.0.1", "--port", String(apiPort)], {
    cwd: ROOT,
    env: { ...baseEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  api.stdout!.on("data", (b: Buffer) => {
    out += b.toString();
    apiLog.write(b);
  });
  api.stderr!.on("data", (b: Buffer) => {
    out += b.toString();
    apiLog.write(b);
  });

  const state: ServerState = { base, apiPort, uiPort, setupToken: "", dataDir, pids: [next.pid!, api.pid!], env, logs: [] };
  return { state, ready: whenReady() };

  async function whenReady(): Promise<void> {
    await waitFor(`http://127.0.0.1:${apiPort}/health`, (r) => r.ok, 60_000, api, `agent-hub serve (${label})`);
    await waitFor(`http://127.0.0.1:${uiPort}/login`, (r) => r.status < 500, 60_000, next, `node server.js (${label})`);
    const m = /(ahs_[A-Za-z0-9_-]+)/.exec(out);
    if (!m) throw new Error(`no setup token in the server output (${label}):\n${out.slice(0, 2000)}`);
    state.setupToken = m[1]!;
    // Warm the proxy and Next's first render so the first test does not pay for it.
    await fetch(`${base}/login`, { headers: { Accept: "text/html" } });
  }
}

export default async function globalSetup(): Promise<void> {
  const ui = join(ROOT, "ui");
  mkdirSync(join(ui, "test-results"), { recursive: true });
  if (!existsSync(join(ROOT, ".venv/bin/agent-hub"))) throw new Error(`${ROOT}/.venv/bin/agent-hub missing: run scripts/setup.sh first`);
  if (!existsSync(join(ui, ".next/production-app/server.js"))) throw new Error("the standalone UI is missing: run the UI tests with npm test");
  // The hub most specs use: no rate limits, so they test features, not timing.
  const hub = await startHub("ui", {});
  // The live-limits project's own hub: the Moltbook profile as a fresh `make run` has it (the
  // login and socket ceilings at their defaults too), and a first-run owner of its own.
  const live = await startHub("live", {
    AGENT_HUB_RATE_LIMITS: "moltbook",
    AGENT_HUB_WS_MAX_CONNECTIONS_PER_AGENT: "",
    AGENT_HUB_LOGIN_IP_PER_MINUTE: "",
  });
  const save = () => {
    writeFileSync(STATE_FILE, JSON.stringify(hub.state, null, 2));
    writeFileSync(LIVE_STATE_FILE, JSON.stringify(live.state, null, 2));
  };
  save();
  await Promise.all([hub.ready, live.ready]);
  save();
}
