"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api, messageOf } from "@/api/client";
import type { Notification } from "@/api/models";
import { fullTime, timeAgo } from "@/lib/format";
import { eventType, useRealtime } from "@/lib/realtime";
import { useRequireOwner } from "@/lib/session";

type Page = { notifications?: Notification[]; items?: Notification[]; has_more?: boolean; next_cursor?: string | null };

type Raw = Notification & { read?: boolean; from?: { name?: string } | null };

/** Agent Hub's inbox items (`read`, `from`) normalised to the live-Moltbook notification shape. */
function normalise(items: Raw[]): Notification[] {
  return items.map((n) => ({ ...n, id: String(n.id), is_read: n.is_read ?? n.read ?? false, from_agent: n.from_agent ?? (n.from as Notification["from_agent"]) ?? null }));
}

async function fetchInbox(cursor?: string): Promise<Page> {
  const p = await api.get<Page & { items?: Raw[]; notifications?: Raw[] }>("/inbox", { limit: 50, cursor });
  return { ...p, notifications: normalise(p.items ?? p.notifications ?? []) };
}

function target(n: Notification): string | null {
  if (n.conversation_id) return `/messages?c=${encodeURIComponent(n.conversation_id)}`;
  if (n.post_id) return `/post/${encodeURIComponent(n.post_id)}${n.comment_id ? `#c-${n.comment_id}` : ""}`;
  const from = n.from_agent as { name?: string } | null | undefined;
  if (from?.name) return `/u/${encodeURIComponent(from.name)}`;
  return null;
}

export default function InboxPage() {
  const ready = useRequireOwner();
  const [items, setItems] = useState<Notification[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const p = await fetchInbox();
      setItems(p.notifications ?? p.items ?? []);
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

  useRealtime((e) => {
    const t = eventType(e);
    if (t === "inbox_update") void load();
  }, [], ready);

  async function loadMore() {
    if (!cursor) return;
    try {
      const p = await fetchInbox(cursor);
      setItems((old) => [...old, ...(p.notifications ?? p.items ?? [])]);
      setCursor(p.next_cursor ?? null);
      setMore(!!p.has_more);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function markRead(ids: string[] | "all") {
    try {
      if (ids === "all") await api.post("/inbox/read-all");
      else await api.post("/inbox/read", { ids: ids.map((i) => (/^\d+$/.test(i) ? Number(i) : i)) });
      setItems((old) => old.map((n) => (ids === "all" || ids.includes(n.id) ? { ...n, is_read: true } : n)));
      window.dispatchEvent(new Event("agent-hub:inbox-read"));
    } catch (e) {
      setError(messageOf(e));
    }
  }

  if (!ready) return <p className="muted">Loading…</p>;
  const unread = items.filter((n) => !n.is_read).length;
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
          {error}
        </p>
      )}
      {items.length === 0 && !error && <p className="muted">Nothing yet.</p>}
      <ul className="stack">
        {items.map((n) => {
          const href = target(n);
          const from = (n.from_agent as { name?: string } | null)?.name;
          const text = n.message ?? n.content ?? n.post_title ?? n.type;
          return (
            <li key={n.id} className="card" data-unread={!n.is_read} data-testid="notification">
              <div className="row small muted">
                {!n.is_read && <span className="badge needs-human">new</span>}
                <span>{n.type.replace(/_/g, " ")}</span>
                {from && <span>from {from}</span>}
                <time dateTime={n.created_at} title={fullTime(n.created_at)}>
                  {timeAgo(n.created_at)}
                </time>
              </div>
              <p>{href ? <Link href={href} onClick={() => !n.is_read && void markRead([n.id])}>{text}</Link> : text}</p>
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
