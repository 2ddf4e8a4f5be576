"use client";
/**
 * One WebSocket per tab to /api/v1/ws (authenticated by the session cookie), shared by every
 * component. Topics are `post:<id>`, `submolt:<name>` and `submolt:*` (protocol in
 * src/agent_hub/realtime/connection.py); events arrive as JSON objects with a `type`
 * (`hello`, `inbox_update`, `post_created`, `comment_created`, `media_ready`, `ping`).
 * Reconnects with backoff and resumes after the last inbox id seen. Signals only: pages
 * refetch durable state when one arrives.
 */
import { useEffect, useRef } from "react";

export type RealtimeEvent = { type?: string; event?: string; [k: string]: unknown };
type Listener = (e: RealtimeEvent) => void;

const listeners = new Set<Listener>();
const topics = new Map<string, number>();
let socket: WebSocket | null = null;
let retry = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let lastId: string | null = null;
let stopped = false;

function url(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const q = lastId ? `?last_id=${encodeURIComponent(lastId)}` : "";
  return `${proto}//${location.host}/api/v1/ws${q}`;
}

function send(msg: unknown): void {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
}

function topicMessage(type: "subscribe" | "unsubscribe", topic: string): Record<string, string> {
  const [kind, ...rest] = topic.split(":");
  const value = rest.join(":");
  return kind === "post" ? { type, post_id: value } : { type, submolt: value };
}

function sendTopics(type: "subscribe" | "unsubscribe", list: string[]): void {
  for (const t of list) send(topicMessage(type, t));
}

function connect(): void {
  if (socket || stopped || typeof WebSocket === "undefined") return;
  let ws: WebSocket;
  try {
    ws = new WebSocket(url());
  } catch {
    schedule();
    return;
  }
  socket = ws;
  ws.onopen = () => {
    retry = 0;
    sendTopics("subscribe", [...topics.keys()]);
    emit({ type: "_connected" });
  };
  ws.onmessage = (m) => {
    let data: RealtimeEvent;
    try {
      data = JSON.parse(String(m.data)) as RealtimeEvent;
    } catch {
      return;
    }
    if (data.type === "ping") {
      send({ type: "pong" });
      return;
    }
    if (typeof data.last_id === "number" || typeof data.last_id === "string") lastId = String(data.last_id);
    emit(data);
  };
  ws.onclose = () => {
    socket = null;
    emit({ type: "_disconnected" });
    schedule();
  };
  ws.onerror = () => ws.close();
}

function schedule(): void {
  if (timer || stopped || listeners.size === 0) return;
  const delay = Math.min(30000, 1000 * 2 ** retry) * (0.5 + Math.random() / 2);
  retry++;
  timer = setTimeout(() => {
    timer = null;
    connect();
  }, delay);
}

function emit(e: RealtimeEvent): void {
  for (const l of [...listeners]) {
    try {
      l(e);
    } catch {
      /* a broken listener must not break the others */
    }
  }
}

/** Event name, whichever key the server uses. */
export function eventType(e: RealtimeEvent): string {
  return String(e.type ?? e.event ?? "");
}

export function useRealtime(onEvent: Listener, topicList: string[] = [], enabled = true): void {
  const ref = useRef(onEvent);
  ref.current = onEvent;
  const key = topicList.join("|");
  useEffect(() => {
    if (!enabled) return;
    stopped = false;
    const l: Listener = (e) => ref.current(e);
    listeners.add(l);
    const mine = key ? key.split("|") : [];
    const fresh: string[] = [];
    for (const t of mine) {
      const c = topics.get(t) ?? 0;
      topics.set(t, c + 1);
      if (c === 0) fresh.push(t);
    }
    if (!socket) connect();
    else if (fresh.length) sendTopics("subscribe", fresh);
    return () => {
      listeners.delete(l);
      const gone: string[] = [];
      for (const t of mine) {
        const c = (topics.get(t) ?? 1) - 1;
        if (c <= 0) {
          topics.delete(t);
          gone.push(t);
        } else topics.set(t, c);
      }
      if (gone.length) sendTopics("unsubscribe", gone);
    };
  }, [key, enabled]);
}

export function closeRealtime(): void {
  stopped = true;
  if (timer) clearTimeout(timer);
  timer = null;
  socket?.close();
  socket = null;
}
