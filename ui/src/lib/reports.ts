"use client";
/**
 * The owner's open report count (reported posts and comments waiting in the queue), for the
 * badge on the "More" tab and the Moderation link. One number for the whole app: the shell loads
 * it from `/home`'s `moderator_status` when it starts, when a new report reaches the inbox (live)
 * and on its safety-net timer; the moderation page reloads it after resolving or dismissing.
 */
import { useSyncExternalStore } from "react";
import { api } from "@/api/client";

let count = 0;
const listeners = new Set<() => void>();

function set(n: number): void {
  if (n === count) return;
  count = n;
  for (const l of listeners) l();
}

export async function loadOpenReports(): Promise<void> {
  try {
    const home = await api.get<{ moderator_status?: { reported_targets?: number } }>("/home");
    set(home.moderator_status?.reported_targets ?? 0);
  } catch {
    /* the badge is a hint; the moderation page shows errors */
  }
}

export function useOpenReports(): number {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => count,
    () => 0,
  );
}
