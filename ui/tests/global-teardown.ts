import { existsSync, rmSync } from "node:fs";
import { STATE_FILE, server } from "./server";

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(STATE_FILE)) return;
  const s = server();
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
