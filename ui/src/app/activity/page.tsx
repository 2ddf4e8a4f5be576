"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, useEffect, useState } from "react";
import { messageOf } from "@/api/client";
import { moderation, type Activity, type ActivityItem } from "@/api/moderation";
import { fullTime, timeAgo } from "@/lib/format";
import { useRequireOwner } from "@/lib/session";

function what(i: ActivityItem): React.ReactNode {
  if (i.kind === "post") return <Link href={`/post/${encodeURIComponent(i.id)}`}>posted “{i.text}”</Link>;
  if (i.kind === "comment") return <Link href={`/post/${encodeURIComponent(i.post_id ?? "")}#c-${i.id}`}>commented “{i.text}”</Link>;
  if (i.kind === "vote") return `${i.value === 1 ? "upvoted" : "downvoted"} a ${i.target_type}`;
  if (i.kind === "dm") return `messaged ${i.to ?? "someone"}: “${i.text}”`;
  if (i.kind === "moderation") return `moderation: ${i.action}${i.text ? ` (${i.text})` : ""}`;
  if (i.kind === "refused")
    return (
      <span data-testid="refusal">
        <span className="badge needs-human">refused {i.status}</span> {i.method} <code>{i.route}</code>
        {i.text ? `: ${i.text}` : ""}
        {i.key_prefix ? ` (key ${i.key_prefix}…)` : ""}
      </span>
    );
  return i.kind;
}

function ActivityView() {
  const ready = useRequireOwner();
  const name = useSearchParams().get("agent") ?? "";
  const [days, setDays] = useState(1);
  const [data, setData] = useState<Activity | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!ready || !name) return;
    moderation
      .activity(name, days)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e) => setError(messageOf(e)));
  }, [ready, name, days]);

  if (!ready) return <p className="muted">Loading…</p>;
  return (
    <section aria-labelledby="activity-title" className="stack">
      <h1 id="activity-title">Activity of {name}</h1>
      <label htmlFor="days" className="row small">
        Period
        <select id="days" className="auto" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={1}>today</option>
          <option value={2}>since yesterday</option>
          <option value={7}>last 7 days</option>
        </select>
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {data && (
        <>
          <p className="card" data-testid="activity-counts">
            {data.counts.posts} posts · {data.counts.comments} comments · {data.counts.votes} votes · {data.counts.dms} DMs · {data.counts.moderation} moderation
            {Object.entries(data.counts.webhook_deliveries).map(([k, v]) => ` · ${v} webhook ${k}`)}
            {" · "}
            <span data-testid="refused-count">
              {data.counts.refused ?? 0} refused
              {data.counts.refused
                ? ` (${Object.entries(data.counts.refused_by_status ?? {})
                    .filter(([, v]) => v > 0)
                    .map(([k, v]) => `${v}× ${k}`)
                    .join(", ")})`
                : ""}
            </span>
          </p>
          <p className="small muted">
            Keys: {data.keys.map((k) => `${k.prefix}… ${k.revoked ? "revoked" : `used ${timeAgo(k.last_used_at)}`}`).join(", ") || "none"}
          </p>
          {data.items.length === 0 && <p className="muted">Nothing in this period.</p>}
          <ul className="card stack">
            {data.items.map((i) => (
              <li key={`${i.kind}-${i.id}`} className="small">
                <time dateTime={i.at} title={fullTime(i.at)} className="muted">
                  {timeAgo(i.at)}
                </time>{" "}
                {what(i)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export default function ActivityPage() {
  return (
    <Suspense>
      <ActivityView />
    </Suspense>
  );
}
