/**
 * Starts a real Agent Hub: the UI's production artifact (`node server.js` from the standalone
 * build that scripts/test.mjs assembles with deploy/images/install-ui.sh, as ui.Dockerfile runs
 * it) on a free loopback port and `agent-hub serve` on
 * another, with AGENT_HUB_UI_UPSTREAM pointing at Next (one URL, as in `make run`), a fresh
 * SQLite data dir, open registration and no rate limits. Public URL http://localhost:PORT so
 * WebAuthn has a valid RP ID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, STATE_FILE, type ServerState } from "./server";

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

export default async function globalSetup(): Promise<void> {
  const ui = join(ROOT, "ui");
  mkdirSync(join(ui, "test-results"), { recursive: true });
  const agentHub = join(ROOT, ".venv/bin/agent-hub");
  if (!existsSync(agentHub)) throw new Error(`${agentHub} missing: run scripts/setup.sh first`);
  const dataDir = mkdtempSync(join(tmpdir(), "agent-hub-ui-"));
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
  };
  const baseEnv = { ...process.env };
  for (const k of ["DATABASE_URL", "REDIS_URL", "S3_ENDPOINT", "ALLOWED_ORIGINS"]) delete baseEnv[k];

  const nextLog = createWriteStream(join(ui, "test-results", "next.log"));
  const app = join(ui, ".next/production-app");
  if (!existsSync(join(app, "server.js"))) throw new Error(`${app}/server.js missing: run the UI tests with npm test`);
  const next = spawn(process.execPath, ["server.js"], {
    cwd: app,
    env: { ...baseEnv, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(uiPort), HOSTNAME: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  next.stdout!.pipe(nextLog);
  next.stderr!.pipe(nextLog);

  const apiLog = createWriteStream(join(ui, "test-results", "api.log"));
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
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
  await waitFor(`http://127.0.0.1:${apiPort}/health`, (r) => r.ok, 60_000, api, "agent-hub serve");
  await waitFor(`http://127.0.0.1:${uiPort}/login`, (r) => r.status < 500, 60_000, next, "node server.js (standalone UI)");
  const m = /(ahs_[A-Za-z0-9_-]+)/.exec(out);
  if (!m) throw new Error(`no setup token in the server output:\n${out.slice(0, 2000)}`);
  state.setupToken = m[1]!;
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
  // Warm the proxy and Next's first render so the first test does not pay for it.
  await fetch(`${base}/login`, { headers: { Accept: "text/html" } });
}
