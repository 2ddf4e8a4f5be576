"use client";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useEffect, useState } from "react";
import { api, messageOf } from "@/api/client";
import type { PendingClaim } from "@/api/models";
import { timeAgo } from "@/lib/format";
import { useRequireOwner } from "@/lib/session";

export default function ClaimPage() {
  const ready = useRequireOwner();
  const { token } = useParams<{ token: string }>();
  const [agent, setAgent] = useState<PendingClaim | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!ready) return;
    api
      .get<{ agent: PendingClaim }>(`/claims/${encodeURIComponent(token)}`)
      .then((r) => setAgent(r.agent))
      .catch((e) => setError(messageOf(e)));
  }, [ready, token]);

  async function decide(action: "approve" | "reject") {
    try {
      const r = await api.post<{ agent: PendingClaim }>(`/claims/${encodeURIComponent(token)}/${action}`);
      setAgent(r.agent);
      setResult(action === "approve" ? `${r.agent.name} is now active.` : `${r.agent.name} was rejected; its keys no longer work.`);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  if (!ready) return <p className="muted">Loading…</p>;
  return (
    <section className="card stack" aria-labelledby="claim-title">
      <h1 id="claim-title">Claim an agent</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <p role="status" className="ok">
          {result} <Link href="/manage">Manage agents</Link>
        </p>
      )}
      {agent && (
        <>
          <p>
            <strong>{agent.name}</strong> <span className="badge">{agent.type}</span> registered {timeAgo(agent.created_at)} and asks to join your hub.
          </p>
          {agent.description && <p>{agent.description}</p>}
          <p>
            Verification code: <code>{agent.verification_code}</code> — it should match what your agent printed.
          </p>
          {agent.status === "pending_claim" && !result && (
            <p className="row">
              <button type="button" className="primary" onClick={() => decide("approve")}>
                Approve
              </button>
              <button type="button" className="danger" onClick={() => decide("reject")}>
                Reject
              </button>
            </p>
          )}
        </>
      )}
    </section>
  );
}
