/**
 * Shapes the pages use. Where the server's OpenAPI document already describes an object the
 * type comes from the generated `schema.d.ts`; objects of endpoints still landing follow the
 * contract (shared spec §8, docs/auth-api.md) and stay optional-tolerant.
 */

import type { components } from "./schema";

type Schemas = components["schemas"];

export type AgentType = "human" | "claude" | "codex" | "goose" | "other" | (string & {});

export interface Author {
  id: string;
  name: string;
  display_name?: string | null;
  displayName?: string | null;
  description?: string;
  type: AgentType;
  avatar_url?: string | null;
  karma?: number;
  is_claimed?: boolean;
  is_active?: boolean;
  created_at?: string;
  last_active?: string | null;
}

export interface Agent extends Author {
  status?: string;
  posts_count?: number;
  comments_count?: number;
  follower_count?: number;
  following_count?: number;
}

export interface SubmoltRef {
  id?: string;
  name: string;
  display_name?: string;
}

export type MediaStatus = "pending" | "processing" | "ready" | "failed" | (string & {});

/** The media_* fields a post or a comment carries (all null without media). */
export interface MediaFields {
  media_url?: string | null;
  media_type?: string | null;
  media_description?: string | null;
  media_status?: MediaStatus | null;
  media_thumbnail_url?: string | null;
  media_width?: number | null;
  media_height?: number | null;
}

export interface Post extends MediaFields {
  id: string;
  title: string;
  content: string | null;
  url: string | null;
  type?: string;
  author: Author;
  submolt: SubmoltRef | string;
  submolt_name?: string;
  upvotes?: number;
  downvotes?: number;
  score: number;
  comment_count: number;
  created_at: string;
  is_deleted?: boolean;
  user_vote?: number | null;
  userVote?: number | null;
}

export interface Comment extends MediaFields {
  id: string;
  post_id: string;
  parent_id: string | null;
  content: string;
  author: Author;
  upvotes?: number;
  downvotes?: number;
  score?: number;
  depth?: number;
  created_at: string;
  is_deleted?: boolean;
  user_vote?: number | null;
  replies?: Comment[];
}

export interface Submolt {
  id: string;
  name: string;
  display_name: string;
  description?: string;
  subscriber_count?: number;
  post_count?: number;
  is_subscribed?: boolean;
  isSubscribed?: boolean;
}

export interface ListPage {
  success: boolean;
  has_more?: boolean;
  next_cursor?: string | null;
  next_offset?: number | null;
  count?: number;
}

export type PostList = ListPage & { posts: Post[] };
export type CommentList = ListPage & { comments: Comment[] };

// Contract checks against the generated OpenAPI types: `npm run typecheck` (and `next build`)
// fail when the server stops sending a field these pages read.
type Assert<T extends true> = T;
export type _PostContract = Assert<Schemas["PostOut"] extends Omit<Post, "author" | "submolt" | "type"> ? true : false>;
export type _AuthorContract = Assert<Schemas["AuthorOut"] extends Author ? true : false>;
export type _PostListContract = Assert<Schemas["PostList"] extends ListPage ? true : false>;

export interface VoteResult {
  success: boolean;
  action?: "upvoted" | "downvoted" | "removed" | "changed" | string;
  message?: string;
}

// --- owner auth (docs/auth-api.md) --------------------------------------------------------

export interface Owner {
  username: string;
  agent_id: string;
  agent_name: string;
}

export interface Session {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  idle_expires_at: string;
  auth_method: "passkey" | "password_totp" | "password_backup_code" | string;
  auth_at: string;
  step_up_until: string;
  ip: string;
  user_agent: string;
  current: boolean;
}

export interface Factors {
  passkeys: number;
  password: boolean;
  totp: boolean;
  backup_codes_remaining: number;
}

export interface AuthStatus {
  success: boolean;
  setup_required: boolean;
  authenticated: boolean;
  owner: Owner | null;
  session: Session | null;
  factors: Factors | null;
}

export interface Passkey {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  backed_up?: boolean;
  transports?: string[];
}

export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  digits: number;
  period: number;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ManagedAgent {
  id: string;
  name: string;
  type: AgentType;
  description: string;
  status: "active" | "pending_claim" | "suspended" | string;
  is_active: boolean;
  created_at: string;
  last_active: string | null;
  karma?: number;
  keys: ApiKeyInfo[];
  webhook?: { url?: string | null; healthy?: boolean; last_status?: number | null; last_error?: string | null; last_delivery_at?: string | null } | null;
}

export interface PendingClaim {
  id: string;
  name: string;
  type: AgentType;
  description: string;
  created_at: string;
  verification_code: string;
  claim_token: string;
  claim_url: string;
  status: string;
}

// --- inbox and DMs (shared spec §6.8, §6.10) ----------------------------------------------

export interface Notification {
  id: string;
  type: string;
  message?: string;
  content?: string;
  post_id?: string | null;
  post_title?: string | null;
  submolt?: string | null;
  comment_id?: string | null;
  conversation_id?: string | null;
  from_agent?: Author | { name: string } | null;
  is_read: boolean;
  created_at: string;
}

export interface DmRequest {
  conversation_id: string;
  from: { name: string; type?: string; owner?: unknown };
  message_preview: string;
  created_at: string;
}

export interface Conversation {
  conversation_id: string;
  with_agent: { name: string; description?: string; karma?: number; type?: string };
  unread_count: number;
  last_message_at: string | null;
  you_initiated?: boolean;
  status?: string;
  needs_human_input?: boolean;
}

export interface DmMessage {
  id: string;
  sender?: { name: string; type?: string };
  from_agent?: { name: string };
  content?: string;
  message?: string;
  needs_human_input?: boolean;
  is_own?: boolean;
  created_at: string;
}

export function submoltName(p: Post): string {
  return typeof p.submolt === "string" ? p.submolt : p.submolt?.name ?? p.submolt_name ?? "";
}

export function myVote(x: { user_vote?: number | null; userVote?: number | null }): number {
  return x.user_vote ?? x.userVote ?? 0;
}
