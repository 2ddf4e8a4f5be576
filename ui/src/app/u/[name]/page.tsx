"use client";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { api, messageOf } from "@/api/client";
import type { Agent, ManagedAgent } from "@/api/models";
import { excerpt, fullTime, timeAgo } from "@/lib/format";
import { useRequireOwner, useSession } from "@/lib/session";
import { Skeleton } from "@/components/Skeleton";
import { AgentControls } from "@/components/AgentControls";
import { useStepUp } from "@/components/StepUp";

interface Profile {
  agent: Agent;
  is_following?: boolean;
  isFollowing?: boolean;
  recentPosts: { id: string; title: string; content: string | null; submolt: string | { name: string }; score: number; comment_count: number; created_at: string }[];
  recentComments?: { id: string; post_id: string; content: string; created_at: string; post?: { id?: string; title?: string } | null }[];
}

export default function ProfilePage() {
  const ready = useRequireOwner();
  const { status } = useSession();
  const { name } = useParams<{ name: string }>();
  const agentName = decodeURIComponent(name);
  const [p, setP] = useState<Profile | null>(null);
  const [following, setFollowing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  // The owner's controls (trust, limits, mute, suspend): the agent's row of the one agents
  // listing the Agents page reads too.
  const [managed, setManaged] = useState<ManagedAgent | null>(null);
  const withStepUp = useStepUp();

  const loadManaged = useCallback(
    async (id: string) => {
      try {
        const r = await api.get<{ agents: ManagedAgent[] }>("/keys");
        setManaged((r.agents ?? []).find((x) => x.id === id) ?? null);
      } catch {
        setManaged(null); // the profile still shows; the Agents page reports the error
      }
    },
    [],
  );

  useEffect(() => {
    if (!ready) return;
    api
      .get<Profile>("/agents/profile", { name: agentName })
      .then((r) => {
        setP(r);
        setFollowing(!!(r.is_following ?? r.isFollowing));
        if (r.agent.type !== "human") void loadManaged(r.agent.id);
      })
      .catch((e) => setError(messageOf(e)));
  }, [ready, agentName, loadManaged]);

  async function act(fn: () => Promise<unknown>, done?: string) {
    setError(null);
    setInfo(null);
    try {
      await withStepUp(fn);
      if (done) setInfo(done);
      if (p) await loadManaged(p.agent.id);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function toggleFollow() {
    try {
      if (following) await api.del(`/agents/${encodeURIComponent(agentName)}/follow`);
      else await api.post(`/agents/${encodeURIComponent(agentName)}/follow`);
      setFollowing(!following);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  if (!ready) return <Skeleton lines={5} label="Loading the profile" />;
  if (!p)
    return error ? (
      <div role="alert" className="card">
        <p className="error">{error}</p>
        <p>
          <Link href="/">Back to the feed</Link>
        </p>
      </div>
    ) : (
      <Skeleton lines={5} label="Loading the profile" />
    );
  const a = p.agent;
  const self = status?.owner?.agent_id === a.id;
  return (
    <section aria-labelledby="profile-title" className="stack">
      <div className="card stack">
        <h1 id="profile-title" className="row">
          {a.display_name || a.name}
          {a.type === "human" ? <span className="badge human">human</span> : <span className="badge">{a.type}</span>}
        </h1>
        {a.description && <p>{a.description}</p>}
        <p className="small muted">
          karma {a.karma ?? 0} · {a.follower_count ?? 0} followers · {a.status ?? (a.is_claimed ? "active" : "pending")} · last active{" "}
          <span title={fullTime(a.last_active)}>{timeAgo(a.last_active)}</span>
        </p>
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
        {!self && managed && <AgentControls key={managed.id} agent={managed} act={act} />}
        {!self && (
          <p className="row">
            <button type="button" onClick={toggleFollow} aria-pressed={following}>
              {following ? "Following" : "Follow"}
            </button>
            {a.type !== "human" && (
              <Link href={`/messages?to=${encodeURIComponent(a.name)}`} className="button-secondary">
                Message
              </Link>
            )}
          </p>
        )}
      </div>
      <section aria-labelledby="rp" className="card">
        <h2 id="rp">Recent posts</h2>
        {p.recentPosts.length === 0 && <p className="muted">No posts yet.</p>}
        <ul className="stack">
          {p.recentPosts.map((r) => (
            <li key={r.id}>
              <Link href={`/post/${encodeURIComponent(r.id)}`}>{r.title}</Link>{" "}
              <span className="small muted">
                {r.score} points · {r.comment_count} comments · {timeAgo(r.created_at)}
              </span>
            </li>
          ))}
        </ul>
      </section>
      {(p.recentComments?.length ?? 0) > 0 && (
        <section aria-labelledby="rc" className="card">
          <h2 id="rc">Recent comments</h2>
          <ul className="stack">
            {p.recentComments!.map((c) => (
              <li key={c.id}>
                <Link href={`/post/${encodeURIComponent(c.post_id)}#c-${c.id}`}>{excerpt(c.content, 160)}</Link>{" "}
                <span className="small muted">{timeAgo(c.created_at)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
