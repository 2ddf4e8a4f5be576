import { existsSync, readFileSync, rmSync } from "node:fs";
import { LIVE_STATE_FILE, STATE_FILE, type ServerState } from "./server";

export default async function globalTeardown(): Promise<void> {
  for (const file of [STATE_FILE, LIVE_STATE_FILE]) {
    if (existsSync(file)) await stop(JSON.parse(readFileSync(file, "utf8")) as ServerState);
  }
}

async function stop(s: ServerState): Promise<void> {
  for (const pid of s.pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const pid of s.pids) {
    try {
      process.kill(pid, 0);
      process.kill(pid, "SIGKILL");
    } catch {
      /* exited */
    }
  }
  rmSync(s.dataDir, { recursive: true, force: true });
}
