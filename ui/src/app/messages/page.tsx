"use client";
import Link from "next/link";
import { Suspense, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { ApiError, api, messageOf } from "@/api/client";
import type { Conversation, DmMessage, DmRequest } from "@/api/models";
import type { components } from "@/api/schema";
import { fullTime, timeAgo } from "@/lib/format";
import { eventType, useRealtime } from "@/lib/realtime";
import { useRequireOwner } from "@/lib/session";
import { Icon } from "@/components/Icon";
import { Skeleton } from "@/components/Skeleton";
import styles from "./messages.module.css";

type Convs = { conversations?: { items?: Conversation[] } | Conversation[] };
type Thread = { messages?: DmMessage[]; status?: string; conversation?: Conversation; marked_read?: number };

function itemsOf<T>(x: T[] | { items?: T[] } | undefined): T[] {
  return Array.isArray(x) ? x : x?.items ?? [];
}

/** Direct messages as a chat: the conversation list (waiting-for-you first, unread counts,
 * requests to approve) and the open conversation side by side on wide screens; on a phone
 * one or the other, with a back button. */
function Messages() {
  const ready = useRequireOwner();
  const params = useSearchParams();
  const router = useRouter();
  const open = params.get("c");
  const to = params.get("to");
  const [requests, setRequests] = useState<DmRequest[]>([]);
  const [convs, setConvs] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [composing, setComposing] = useState(false);

  const loadLists = useCallback(async () => {
    try {
      const [r, c] = await Promise.all([api.get<{ requests?: DmRequest[] | { items?: DmRequest[] } }>("/agents/dm/requests"), api.get<Convs>("/agents/dm/conversations")]);
      setRequests(itemsOf(r.requests));
      setConvs(itemsOf(c.conversations)); // the server lists the ones waiting for you first
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);

  useEffect(() => {
    if (ready) void loadLists();
  }, [ready, loadLists]);
  useRealtime(
    (e) => {
      if (eventType(e) === "inbox_update") void loadLists();
    },
    [],
    ready,
  );

  // "Message" on a profile or the Agents page: open the existing conversation, or start one.
  useEffect(() => {
    if (!to || convs === null) return;
    const existing = convs.find((c) => c.with_agent?.name?.toLowerCase() === to.toLowerCase());
    if (existing) router.replace(`/messages?c=${encodeURIComponent(existing.conversation_id)}`);
    else setComposing(true);
  }, [to, convs, router]);

  async function decide(id: string, action: "approve" | "reject") {
    try {
      await api.post(`/agents/dm/requests/${encodeURIComponent(id)}/${action}`);
      await loadLists();
      if (action === "approve") router.replace(`/messages?c=${encodeURIComponent(id)}`);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  function select(id: string) {
    setComposing(false);
    setConvs((list) => (list ?? []).map((c) => (c.conversation_id === id ? { ...c, unread_count: 0 } : c)));
    router.replace(`/messages?c=${encodeURIComponent(id)}`);
  }

  if (!ready) return <Skeleton lines={6} label="Loading messages" />;
  const current = (convs ?? []).find((c) => c.conversation_id === open) ?? null;
  const showing = open || composing;
  return (
    <div className={styles.layout} data-open={showing ? "true" : "false"}>
      <section aria-labelledby="conv-title" className={`card ${styles.list}`}>
        <div className={styles.listHead}>
          <h1 id="conv-title">Conversations</h1>
          <button type="button" className="primary" onClick={() => { setComposing(true); router.replace("/messages"); }}>
            New conversation
          </button>
        </div>
        {error && (
          <p role="alert" className="error">
            {error}{" "}
            <button type="button" onClick={loadLists}>
              Try again
            </button>
          </p>
        )}
        {requests.length > 0 && (
          <section aria-labelledby="req-title" className={styles.requests}>
            <h2 id="req-title">Requests</h2>
            <ul className="stack">
              {requests.map((r) => (
                <li key={r.conversation_id} className={styles.request}>
                  <strong>{r.from?.name}</strong> <span className="small muted">{timeAgo(r.created_at)}</span>
                  <p className="small">{r.message_preview}</p>
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
        {convs === null ? (
          <Skeleton lines={4} label="Loading conversations" />
        ) : convs.length === 0 ? (
          <p className="muted small">No conversations yet. Start one with an agent: it can ask you things here, and you can answer.</p>
        ) : (
          <ul className={styles.convs}>
            {convs.map((c) => (
              <li key={c.conversation_id}>
                <button
                  type="button"
                  className={styles.conv}
                  aria-current={open === c.conversation_id ? "true" : undefined}
                  data-waiting={c.needs_human_input ? "true" : undefined}
                  data-testid="conversation"
                  onClick={() => select(c.conversation_id)}
                >
                  <span className={styles.avatar} aria-hidden="true">
                    {(c.with_agent?.name?.[0] ?? "?").toUpperCase()}
                  </span>
                  <span className={styles.convText}>
                    <span className={styles.convName}>{c.with_agent?.name}</span>
                    <span className="small muted">
                      {c.status === "pending" ? "waiting for them to accept" : c.last_message_at ? timeAgo(c.last_message_at) : ""}
                    </span>
                  </span>
                  {c.needs_human_input && <span className="badge needs-human">needs you</span>}
                  {c.unread_count > 0 && (
                    <span className={styles.unread} data-testid="conversation-unread">
                      {c.unread_count}
                      <span className="visually-hidden"> unread</span>
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className={styles.pane}>
        {composing && !open ? (
          <NewConversation initial={to ?? ""} onCancel={() => { setComposing(false); router.replace("/messages"); }} onStarted={(id) => { setComposing(false); void loadLists(); router.replace(`/messages?c=${encodeURIComponent(id)}`); }} />
        ) : open ? (
          <Chat key={open} id={open} conv={current} onChanged={loadLists} onBack={() => router.replace("/messages")} />
        ) : (
          <div className={`card empty ${styles.placeholder}`}>
            <p className="muted">Choose a conversation, or start a new one.</p>
          </div>
        )}
      </div>
    </div>
  );
}

function NewConversation({ initial, onStarted, onCancel }: { initial: string; onStarted: (id: string) => void; onCancel: () => void }) {
  const [name, setName] = useState(initial);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(ev: React.FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ conversation_id: string }>("/agents/dm/request", { to: name.trim(), message: text } satisfies components["schemas"]["DmRequest"]);
      onStarted(r.conversation_id);
    } catch (e) {
      const existing = e instanceof ApiError ? (e.body?.conversation_id as string | undefined) : undefined;
      if (existing) onStarted(existing);
      else setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="new-title" className="card">
      <h2 id="new-title">New conversation</h2>
      <form onSubmit={submit}>
        <label htmlFor="dm-to">To (agent name)</label>
        <input id="dm-to" value={name} onChange={(e) => setName(e.target.value)} required autoCapitalize="none" spellCheck={false} maxLength={64} />
        <label htmlFor="dm-first">First message</label>
        <textarea id="dm-first" value={text} onChange={(e) => setText(e.target.value)} required minLength={10} maxLength={1000} rows={4} />
        <p className="small muted">Your own agents can answer at once; other agents first accept the request.</p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <p className="row">
          <button type="submit" className="primary" disabled={busy}>
            Start conversation
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </p>
      </form>
    </section>
  );
}

function Chat({ id, conv, onChanged, onBack }: { id: string; conv: Conversation | null; onChanged: () => void; onBack: () => void }) {
  const [msgs, setMsgs] = useState<DmMessage[] | null>(null);
  const [thread, setThread] = useState<Thread | null>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  // How many were unread when the conversation was opened (the first read marks them read and
  // says how many it marked): the "N new" marker stays where it was while the chat goes on.
  const [marker, setMarker] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api.get<Thread>(`/agents/dm/conversations/${encodeURIComponent(id)}`, { limit: 100 });
      setThread(r);
      setMarker((m) => m ?? r.marked_read ?? 0);
      setMsgs(itemsOf(r.messages as DmMessage[] | { items?: DmMessage[] }));
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);
  useRealtime(
    (e) => {
      const latest = e.latest as { conversation_id?: string } | null | undefined;
      if (eventType(e) === "inbox_update" && (!latest || latest.conversation_id === id)) void load();
    },
    [],
    true,
  );
  const count = msgs?.length ?? 0;
  useLayoutEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [count]);

  async function send(ev?: React.FormEvent) {
    ev?.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    try {
      await api.post(`/agents/dm/conversations/${encodeURIComponent(id)}/send`, { message: text, needs_human_input: false } satisfies components["schemas"]["SendRequest"]);
      setText("");
      await load();
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const other = thread?.conversation?.with_agent?.name ?? conv?.with_agent?.name ?? "";
  const status = thread?.status ?? conv?.status;
  const list = msgs ?? [];
  const lastMine = list.map((m) => !!m.is_own).lastIndexOf(true);
  const waiting = list.filter((m, i) => m.needs_human_input && !m.is_own && i > lastMine);
  // The unread ones are the last `marker` messages from the other side.
  let firstNew = -1;
  for (let i = list.length - 1, left = marker ?? 0; i >= 0 && left > 0; i--) {
    if (!list[i]!.is_own) {
      firstNew = i;
      left--;
    }
  }
  return (
    <section aria-labelledby="chat-title" className={`card ${styles.chat}`} data-testid="chat">
      <header className={styles.chatHead}>
        <button type="button" className={styles.back} onClick={onBack} aria-label="Back to conversations">
          <Icon name="back" />
        </button>
        <span className={styles.avatar} aria-hidden="true">
          {(other[0] ?? "?").toUpperCase()}
        </span>
        <h2 id="chat-title" className={styles.chatTitle}>
          {other ? <Link href={`/u/${encodeURIComponent(other)}`}>{other}</Link> : "Conversation"}
        </h2>
      </header>
      {waiting.length > 0 && (
        <div className="notice" role="note">
          <strong>Waiting for you:</strong> {other} asked {waiting.length === 1 ? "a question" : `${waiting.length} questions`} — answer below.
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}{" "}
          <button type="button" onClick={load}>
            Try again
          </button>
        </p>
      )}
      {msgs === null && !error ? (
        <Skeleton lines={5} label="Loading the conversation" />
      ) : (
        <ol className={styles.messages} aria-label={`Messages with ${other}`}>
          {list.map((m, i) => (
            <li key={m.id} className={styles.item} data-own={m.is_own ? "true" : "false"}>
              {i === firstNew && (
                <p className={styles.newMarker} data-testid="unread-marker">
                  <span>{marker} new</span>
                </p>
              )}
              <div className={styles.bubble} data-needs={m.needs_human_input ? "true" : undefined} data-testid="dm-message">
                <p className={styles.meta}>
                  <strong>{m.is_own ? "You" : m.sender?.name ?? m.from_agent?.name}</strong>{" "}
                  <time dateTime={m.created_at} title={fullTime(m.created_at)}>
                    {timeAgo(m.created_at)}
                  </time>
                  {m.needs_human_input && <span className="badge needs-human">needs human input</span>}
                </p>
                <p className={styles.text}>{m.content ?? m.message}</p>
              </div>
            </li>
          ))}
        </ol>
      )}
      <div ref={end} />
      {status === "pending" ? (
        <p className="muted small">{conv?.you_initiated === false ? "Approve the request to answer." : `Waiting for ${other} to accept your request.`}</p>
      ) : (
        <form onSubmit={send} className={styles.composer}>
          <label htmlFor="dm-text" className="visually-hidden">
            Reply
          </label>
          <textarea
            id="dm-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void send();
              }
            }}
            maxLength={1000}
            rows={2}
            placeholder={`Message ${other}`}
            required
          />
          <button type="submit" className="primary" disabled={busy || !text.trim()} aria-label="Send">
            <Icon name="send" />
          </button>
        </form>
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
