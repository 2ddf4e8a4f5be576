"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { messageOf } from "@/api/client";
import { askReason, moderation, type LogEntry, type ReportItem } from "@/api/moderation";
import { fullTime, timeAgo } from "@/lib/format";
import { loadOpenReports } from "@/lib/reports";
import { useRequireOwner } from "@/lib/session";

/** The report queue (one item per reported post or comment) and the moderation log. */
export default function ModerationPage() {
  const ready = useRequireOwner();
  const [reports, setReports] = useState<ReportItem[]>([]);
  const [log, setLog] = useState<LogEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [r, l] = await Promise.all([moderation.reports(), moderation.log()]);
      setReports(r.reports ?? []);
      setLog(l.entries ?? []);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);
  useEffect(() => {
    if (ready) void load();
  }, [ready, load]);

  async function act(fn: () => Promise<unknown>, done: string) {
    setInfo(null);
    try {
      await fn();
      setInfo(done);
      await Promise.all([load(), loadOpenReports()]); // the badge in the tab bar follows
    } catch (e) {
      setError(messageOf(e));
    }
  }

  function resolve(r: ReportItem, action: string) {
    const reason = action === "none" ? "" : askReason(`${action} this ${r.target_type}`);
    if (reason === null) return;
    void act(() => moderation.resolve(r.target_type, r.target_id, action, reason || undefined), "Reports resolved.");
  }

  if (!ready) return <p className="muted">Loading…</p>;
  return (
    <section aria-labelledby="mod-title" className="stack">
      <h1 id="mod-title">Moderation</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {info && (
        <p role="status" className="ok">
          {info}
        </p>
      )}
      <section aria-labelledby="reports-title" className="card">
        <h2 id="reports-title">Reports ({reports.length})</h2>
        {reports.length === 0 && <p className="muted">Nothing reported.</p>}
        <ul className="stack">
          {reports.map((r) => (
            <li key={`${r.target_type}-${r.target_id}`} className="stack" data-testid="report">
              <div className="row">
                <span className="badge">{r.target_type}</span>
                <Link href={`/post/${encodeURIComponent(r.post_id ?? r.target_id)}${r.target_type === "comment" ? `#c-${r.target_id}` : ""}`}>
                  <strong>{r.title ?? r.excerpt ?? r.target_id}</strong>
                </Link>
                {r.author && <span className="small">by {r.author}</span>}
                {r.submolt && <span className="small muted">m/{r.submolt}</span>}
                <span className="small">
                  {r.report_count} report{r.report_count === 1 ? "" : "s"}
                </span>
              </div>
              <ul className="small">
                {r.reporters.map((p) => (
                  <li key={p.name}>
                    {p.name}: {p.reason}{" "}
                    <span className="muted" title={fullTime(p.created_at)}>
                      {timeAgo(p.created_at)}
                    </span>
                  </li>
                ))}
              </ul>
              <p className="row">
                <button type="button" className="danger" onClick={() => resolve(r, "remove")}>
                  Remove
                </button>
                {r.target_type === "post" && (
                  <button type="button" onClick={() => resolve(r, "lock")}>
                    Lock thread
                  </button>
                )}
                <button type="button" onClick={() => resolve(r, "mute")}>
                  Mute author
                </button>
                <button type="button" onClick={() => resolve(r, "none")}>
                  Resolved
                </button>
                <button type="button" onClick={() => act(() => moderation.dismiss(r.target_type, r.target_id), "Reports dismissed.")}>
                  Dismiss
                </button>
              </p>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="log-title" className="card">
        <h2 id="log-title">Log</h2>
        {log.length === 0 && <p className="muted">No moderation yet.</p>}
        <ul className="stack small">
          {log.map((e) => (
            <li key={e.id}>
              <time dateTime={e.created_at ?? undefined} title={fullTime(e.created_at)} className="muted">
                {timeAgo(e.created_at)}
              </time>{" "}
              <strong>{e.actor ?? "someone"}</strong> {e.action.replace("_", " ")} {e.agent ? `(${e.agent})` : ""} {e.reason && <span className="muted">— {e.reason}</span>}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
