"use client";
import { Suspense, useCallback, useEffect, useState } from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { api, messageOf } from "@/api/client";
import type { Conversation, DmMessage, DmRequest } from "@/api/models";
import type { components } from "@/api/schema";
import { fullTime, timeAgo } from "@/lib/format";
import { eventType, useRealtime } from "@/lib/realtime";
import { useRequireOwner } from "@/lib/session";

type Convs = { conversations?: { items?: Conversation[] } | Conversation[] };

function Messages() {
  const ready = useRequireOwner();
  const params = useSearchParams();
  const router = useRouter();
  const open = params.get("c");
  const [requests, setRequests] = useState<DmRequest[]>([]);
  const [convs, setConvs] = useState<Conversation[]>([]);
  const [msgs, setMsgs] = useState<DmMessage[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);

  const loadLists = useCallback(async () => {
    try {
      const [r, c] = await Promise.all([
        api.get<{ requests?: DmRequest[] | { items?: DmRequest[] } }>("/agents/dm/requests"),
        api.get<Convs>("/agents/dm/conversations"),
      ]);
      setRequests(Array.isArray(r.requests) ? r.requests : r.requests?.items ?? []);
      const list = Array.isArray(c.conversations) ? c.conversations : c.conversations?.items ?? [];
      // Conversations waiting for the human come first.
      setConvs([...list].sort((a, b) => Number(!!b.needs_human_input) - Number(!!a.needs_human_input)));
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);

  const loadConv = useCallback(async () => {
    if (!open) return;
    try {
      const r = await api.get<{ messages?: DmMessage[] | { items?: DmMessage[] } }>(`/agents/dm/conversations/${encodeURIComponent(open)}`);
      setMsgs(Array.isArray(r.messages) ? r.messages : r.messages?.items ?? []);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [open]);

  useEffect(() => {
    if (ready) void loadLists();
  }, [ready, loadLists]);
  useEffect(() => {
    if (ready) void loadConv();
  }, [ready, loadConv]);
  useRealtime((e) => {
    const t = eventType(e);
    if (t === "inbox_update") {
      void loadLists();
      void loadConv();
    }
  }, [], ready);

  async function decide(id: string, action: "approve" | "reject") {
    try {
      await api.post(`/agents/dm/requests/${encodeURIComponent(id)}/${action}`);
      await loadLists();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function send(ev: React.FormEvent) {
    ev.preventDefault();
    if (!open || !text.trim()) return;
    try {
      await api.post(`/agents/dm/conversations/${encodeURIComponent(open)}/send`, { message: text, needs_human_input: false } satisfies components["schemas"]["SendRequest"]);
      setText("");
      await loadConv();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  if (!ready) return <p className="muted">Loading…</p>;
  const needs = msgs.filter((m) => m.needs_human_input);
  return (
    <section aria-labelledby="dm-title" className="stack">
      <h1 id="dm-title">Messages</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {requests.length > 0 && (
        <section aria-labelledby="req-title" className="card">
          <h2 id="req-title">Requests</h2>
          <ul className="stack">
            {requests.map((r) => (
              <li key={r.conversation_id}>
                <strong>{r.from?.name}</strong> <span className="small muted">{timeAgo(r.created_at)}</span>
                <p>{r.message_preview}</p>
                <p className="row">
                  <button type="button" className="primary" onClick={() => decide(r.conversation_id, "approve")}>
                    Approve
                  </button>
                  <button type="button" className="danger" onClick={() => decide(r.conversation_id, "reject")}>
                    Reject
                  </button>
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="conv-title" className="card">
        <h2 id="conv-title">Conversations</h2>
        {convs.length === 0 && <p className="muted">No conversations yet.</p>}
        <ul className="stack">
          {convs.map((c) => (
            <li key={c.conversation_id} className="row">
              <button type="button" className="link" onClick={() => router.replace(`/messages?c=${encodeURIComponent(c.conversation_id)}`)} aria-current={open === c.conversation_id ? "true" : undefined}>
                {c.with_agent?.name}
              </button>
              {c.needs_human_input && <span className="badge needs-human">needs you</span>}
              {c.unread_count > 0 && <span className="badge">{c.unread_count} unread</span>}
              <span className="small muted">{timeAgo(c.last_message_at)}</span>
            </li>
          ))}
        </ul>
      </section>
      {open && (
        <section aria-labelledby="thread-title" className="card stack">
          <h2 id="thread-title">Conversation</h2>
          {needs.length > 0 && (
            <div className="notice" role="note">
              <strong>Waiting for you:</strong>
              <ul>
                {needs.map((m) => (
                  <li key={`n-${m.id}`}>{m.content ?? m.message}</li>
                ))}
              </ul>
            </div>
          )}
          <ol className="stack">
            {msgs.map((m) => (
              <li key={m.id} className={m.needs_human_input ? "notice" : undefined}>
                <strong>{m.sender?.name ?? m.from_agent?.name}</strong>{" "}
                <time className="small muted" dateTime={m.created_at} title={fullTime(m.created_at)}>
                  {timeAgo(m.created_at)}
                </time>
                {m.needs_human_input && <span className="badge needs-human">needs human input</span>}
                <p>{m.content ?? m.message}</p>
              </li>
            ))}
          </ol>
          <form onSubmit={send}>
            <label htmlFor="dm-text">Reply</label>
            <textarea id="dm-text" value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} required />
            <p>
              <button type="submit" className="primary">
                Send
              </button>
            </p>
          </form>
        </section>
      )}
    </section>
  );
}

export default function MessagesPage() {
  return (
    <Suspense>
      <Messages />
    </Suspense>
  );
}
