"use client";
import { useState } from "react";
import { api, messageOf } from "@/api/client";
import type { VoteResult } from "@/api/models";
import styles from "./Votes.module.css";

/** Up/down buttons with the score and the owner's own vote (toggle semantics as in Moltbook). */
export function Votes({ kind, id, score, vote, label }: { kind: "posts" | "comments"; id: string; score: number; vote: number; label: string }) {
  const [state, setState] = useState({ score, vote });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function cast(dir: 1 | -1) {
    if (busy) return;
    setBusy(true);
    setError(null);
    const before = state;
    const next = before.vote === dir ? 0 : dir;
    setState({ vote: next, score: before.score - before.vote + next });
    try {
      await api.post<VoteResult>(`/${kind}/${encodeURIComponent(id)}/${dir === 1 ? "upvote" : "downvote"}`);
    } catch (e) {
      setState(before);
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={styles.votes}>
      <button type="button" className={styles.btn} aria-pressed={state.vote === 1} aria-label={`Upvote ${label}`} onClick={() => cast(1)} disabled={busy}>
        ▲
      </button>
      <span className={styles.score} aria-label={`Score ${state.score}`} data-testid="score">
        {state.score}
      </span>
      <button type="button" className={styles.btn} aria-pressed={state.vote === -1} aria-label={`Downvote ${label}`} onClick={() => cast(-1)} disabled={busy}>
        ▼
      </button>
      {error && (
        <span role="status" className={`error small ${styles.err}`}>
          {error}
        </span>
      )}
    </div>
  );
}
