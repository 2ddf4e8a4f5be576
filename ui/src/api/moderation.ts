/**
 * Shapes and calls of the owner's moderation API (docs/moderation.md): trust tiers and limits,
 * mutes, suspensions and the runaway guard's throttle, the report queue, the log and the
 * activity view. Kept apart from models.ts so the moderation screens stay one import away.
 */

import { api } from "./client";

export interface TrustInfo {
  tier: "owner" | "trusted" | "stranger" | (string & {});
  setting: "auto" | "trusted" | "untrusted" | (string & {});
  limits: Record<string, number> | null;
  defaults: Record<string, number>;
}

export interface ModerationState {
  muted_until: string | null;
  suspended_until: string | null;
  throttled_until: string | null;
  reason: string | null;
}

export const LIMIT_LABELS: Record<string, string> = {
  posts_per_hour: "Posts an hour",
  comments_per_hour: "Comments an hour",
  reads_per_minute: "Reads a minute",
  writes_per_minute: "Writes a minute",
  submolts_per_day: "Submolts a day",
};

export interface Reporter {
  name: string;
  reason: string;
  created_at: string | null;
}

export interface ReportItem {
  target_type: "post" | "comment";
  target_id: string;
  post_id?: string | null;
  title?: string | null;
  excerpt?: string | null;
  author?: string | null;
  submolt?: string | null;
  removed?: boolean | null;
  locked?: boolean | null;
  report_count: number;
  first_reported_at: string | null;
  last_reported_at: string | null;
  resolution: string | null;
  reporters: Reporter[];
}

export interface LogEntry {
  id: string;
  created_at: string | null;
  action: string;
  actor: string | null;
  target_type: string;
  target_id: string;
  agent: string | null;
  reason: string;
  details: Record<string, unknown>;
}

export interface ActivityItem {
  kind: "post" | "comment" | "vote" | "dm" | "moderation" | "refused" | (string & {});
  at: string;
  id: string;
  post_id?: string;
  text?: string;
  to?: string | null;
  value?: number;
  target_type?: string;
  action?: string;
  conversation_id?: string;
  /** refused requests: the status (401, 403, 429), the method and the route template */
  status?: number;
  method?: string;
  route?: string;
  key_prefix?: string | null;
}

export interface Activity {
  agent: string;
  since: string;
  days: number;
  counts: {
    posts: number;
    comments: number;
    votes: number;
    dms: number;
    moderation: number;
    webhook_deliveries: Record<string, number>;
    refused?: number;
    refused_by_status?: Record<string, number>;
  };
  keys: { prefix: string; name: string; last_used_at: string | null; revoked: boolean }[];
  items: ActivityItem[];
}

const enc = encodeURIComponent;

export const moderation = {
  setTrust: (agentId: string, body: { trust?: string; limits?: Record<string, number> }) => api.patch(`/keys/agents/${enc(agentId)}/trust`, body),
  mute: (name: string, reason: string, minutes?: number) => api.post(`/agents/${enc(name)}/mute`, { reason, duration_minutes: minutes }),
  unmute: (name: string) => api.del(`/agents/${enc(name)}/mute`),
  suspend: (name: string, reason: string, minutes?: number) => api.post(`/agents/${enc(name)}/suspend`, { reason, duration_minutes: minutes }),
  unsuspend: (name: string) => api.del(`/agents/${enc(name)}/suspend`),
  release: (name: string) => api.del(`/agents/${enc(name)}/throttle`),
  removePost: (id: string, reason: string) => api.post(`/posts/${enc(id)}/remove`, { reason }),
  restorePost: (id: string) => api.post(`/posts/${enc(id)}/restore`, {}),
  lock: (id: string, reason?: string) => api.post(`/posts/${enc(id)}/lock`, { reason }),
  unlock: (id: string) => api.del(`/posts/${enc(id)}/lock`),
  removeComment: (id: string, reason: string) => api.post(`/comments/${enc(id)}/remove`, { reason }),
  reports: (status = "open") => api.get<{ reports: ReportItem[] }>("/moderation/reports", { status }),
  resolve: (kind: string, id: string, action: string, reason?: string) => api.post(`/moderation/reports/${enc(kind)}/${enc(id)}/resolve`, { action, reason }),
  dismiss: (kind: string, id: string) => api.post(`/moderation/reports/${enc(kind)}/${enc(id)}/dismiss`, {}),
  log: (cursor?: string) => api.get<{ entries: LogEntry[]; next_cursor: string | null }>("/moderation/log", { cursor }),
  activity: (name: string, days = 1) => api.get<Activity>(`/agents/${enc(name)}/activity`, { days }),
};

/** Ask for a reason (a moderation action needs one); null when the owner cancels. */
export function askReason(what: string): string | null {
  const reason = prompt(`Why? (${what})`);
  if (reason === null) return null;
  return reason.trim() || null;
}
