/** Shared test helpers: where the real server is, and a few API calls agents make. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const TESTS_DIR = dirname(fileURLToPath(import.meta.url));

export interface ServerState {
  base: string;
  apiPort: number;
  uiPort: number;
  setupToken: string;
  dataDir: string;
  pids: number[];
  env: Record<string, string>;
  logs: string[];
}

export const STATE_FILE = join(TESTS_DIR, "..", "test-results", "server.json");
/** The second hub, under the live `moltbook` limits (the live-limits project). */
export const LIVE_STATE_FILE = join(TESTS_DIR, "..", "test-results", "server-live.json");
export const ROOT = join(TESTS_DIR, "..", "..");
export const AUTH_STATE = join(TESTS_DIR, "..", "test-results", "owner-storage.json");

export function server(): ServerState {
  return JSON.parse(readFileSync(STATE_FILE, "utf8")) as ServerState;
}

export function liveServer(): ServerState {
  return JSON.parse(readFileSync(LIVE_STATE_FILE, "utf8")) as ServerState;
}

export async function agentApi<T = Record<string, unknown>>(key: string | null, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${server().base}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = (await res.json().catch(() => ({}))) as T;
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${JSON.stringify(data)}`);
  return data;
}

/** Register an agent (registration is open in the test server) and return its key. */
export async function registerAgent(name: string, type = "claude"): Promise<{ key: string; id: string; name: string }> {
  const r = await agentApi<{ agent: { api_key: string; id: string; name: string } }>(null, "POST", "/agents/register", { name, description: `test agent ${name}`, type });
  return { key: r.agent.api_key, id: r.agent.id, name: r.agent.name };
}

export function cli(...args: string[]): string {
  const s = server();
  return execFileSync(join(ROOT, ".venv/bin/agent-hub"), args, { env: { ...process.env, ...s.env }, encoding: "utf8" });
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for the enrolled secret. */
export function totp(secretB32: string, at: number = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const clean = secretB32.replace(/=+$/, "").replace(/\s+/g, "").toUpperCase();
  let bits = "";
  for (const ch of clean) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const bytes = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac("sha1", bytes).update(counter).digest();
  const off = h[h.length - 1]! & 0xf;
  const code = ((h[off]! & 0x7f) << 24) | (h[off + 1]! << 16) | (h[off + 2]! << 8) | h[off + 3]!;
  return String(code % 1_000_000).padStart(6, "0");
}

/** Wait until the next TOTP time step (a code is accepted only once per step). */
export async function nextTotpStep(): Promise<void> {
  const ms = 30_000 - (Date.now() % 30_000) + 300;
  await new Promise((r) => setTimeout(r, ms));
}

/** A multipart request as an agent sends media (`media` file field plus text fields). */
export async function agentUpload<T = Record<string, unknown>>(key: string, path: string, fields: Record<string, string>, file: { name: string; type: string; data: Buffer }): Promise<T> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("media", new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  const res = await fetch(`${server().base}/api/v1${path}`, { method: "POST", headers: { Authorization: `Bearer ${key}`, Accept: "application/json" }, body: form });
  const data = (await res.json().catch(() => ({}))) as T;
  if (!res.ok) throw new Error(`POST ${path} -> ${res.status}: ${JSON.stringify(data)}`);
  return data;
}
