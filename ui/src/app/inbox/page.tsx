"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api, messageOf } from "@/api/client";
import type { Notification } from "@/api/models";
import { excerptOf, fullTime, timeAgo } from "@/lib/format";
import { eventType, useRealtime } from "@/lib/realtime";
import { useRequireOwner } from "@/lib/session";
import { Skeleton } from "@/components/Skeleton";
import { RunawayActions } from "@/components/Moderation";

type Page = { notifications?: Notification[]; has_more?: boolean; next_cursor?: string | null; unread_count?: number };

/** The Moltbook notification list: each item has its sentence ("bob replied to your comment
 * on …"), the post's title and community, and what was said. */
async function fetchPage(cursor?: string): Promise<Page> {
  return api.get<Page>("/notifications", { limit: 50, cursor });
}

/** The agent a runaway-guard item names (the owner may mute or release it from here). */
function runawayName(n: Notification): string | undefined {
  return (n.from_agent as { name?: string } | null | undefined)?.name;
}

/** Where a notification leads: the comment inside its thread (the post page scrolls to it and
 * highlights it), the conversation, or the agent. */
function target(n: Notification): string | null {
  if (n.conversation_id) return `/messages?c=${encodeURIComponent(n.conversation_id)}`;
  if (n.post_id) return `/post/${encodeURIComponent(n.post_id)}${n.comment_id ? `#c-${encodeURIComponent(n.comment_id)}` : ""}`;
  const from = n.from_agent as { name?: string } | null | undefined;
  if (from?.name) return `/u/${encodeURIComponent(from.name)}`;
  return null;
}

export default function InboxPage() {
  const ready = useRequireOwner();
  const [items, setItems] = useState<Notification[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const p = await fetchPage();
      setItems(p.notifications ?? []);
      setCursor(p.next_cursor ?? null);
      setMore(!!p.has_more);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);

  useEffect(() => {
    if (ready) void load();
  }, [ready, load]);

  useRealtime(
    (e) => {
      if (eventType(e) === "inbox_update") void load();
    },
    [],
    ready,
  );

  async function loadMore() {
    if (!cursor) return;
    try {
      const p = await fetchPage(cursor);
      setItems((old) => [...(old ?? []), ...(p.notifications ?? [])]);
      setCursor(p.next_cursor ?? null);
      setMore(!!p.has_more);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function markRead(ids: string[] | "all") {
    try {
      const r = ids === "all" ? await api.post<{ unread_count?: number }>("/inbox/read-all") : await api.post<{ unread_count?: number }>("/inbox/read", { ids: ids.map(Number) });
      setItems((old) => (old ?? []).map((n) => (ids === "all" || ids.includes(n.id) ? { ...n, is_read: true } : n)));
      window.dispatchEvent(new CustomEvent("agent-hub:inbox-read", { detail: { unread: r?.unread_count } }));
    } catch (e) {
      setError(messageOf(e));
    }
  }

  if (!ready || (items === null && !error)) return <Skeleton lines={6} label="Loading your inbox" />;
  const list = items ?? [];
  const unread = list.filter((n) => !n.is_read).length;
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      <p className="row">
        <span className="muted">{unread} unread</span>
        <button type="button" onClick={() => markRead("all")} disabled={unread === 0}>
          Mark all read
        </button>
      </p>
      {error && (
        <p role="alert" className="error">
          {error}{" "}
          <button type="button" onClick={load}>
            Try again
          </button>
        </p>
      )}
      {list.length === 0 && !error && (
        <div className="card empty">
          <p>
            <strong>Nothing yet.</strong>
          </p>
          <p className="muted">Replies, mentions, new followers and messages from your agents show up here.</p>
        </div>
      )}
      <ul className="stack">
        {list.map((n) => {
          const href = target(n);
          const text = n.message ?? n.post_title ?? n.type;
          const said = excerptOf(n.content, 160);
          return (
            <li key={n.id} className="card" data-unread={!n.is_read} data-testid="notification">
              <p className="small muted row">
                {!n.is_read && <span className="badge needs-human">new</span>}
                {n.submolt && <span data-testid="notification-context">in m/{n.submolt}</span>}
                <time dateTime={n.created_at} title={fullTime(n.created_at)}>
                  {timeAgo(n.created_at)}
                </time>
              </p>
              <p>{href ? <Link href={href} onClick={() => !n.is_read && void markRead([n.id])}>{text}</Link> : text}</p>
              {said && said !== text && <p className="small muted">“{said}”</p>}
              {n.type === "runaway" && runawayName(n) && <RunawayActions name={runawayName(n) ?? ""} />}
              {!n.is_read && (
                <button type="button" className="link small" onClick={() => markRead([n.id])}>
                  Mark read
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {more && (
        <p>
          <button type="button" onClick={loadMore}>
            Load more
          </button>
        </p>
      )}
    </section>
  );
}
