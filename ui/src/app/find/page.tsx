"use client";
import Link from "next/link";
import { Suspense, useEffect, useState } from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { api, messageOf } from "@/api/client";
import type { Agent, Post, Submolt } from "@/api/models";
import { excerpt, timeAgo } from "@/lib/format";
import { useRequireOwner } from "@/lib/session";
import { PostCard } from "@/components/PostCard";

interface Result {
  id: string;
  type: "post" | "comment";
  title: string | null;
  content: string;
  created_at: string;
  author?: { name: string };
  post_id?: string;
  post?: { id: string; title: string };
  media_description?: string | null;
}
interface SearchResponse {
  results?: Result[];
  posts?: Post[];
  agents?: Agent[];
  submolts?: Submolt[];
}

function Find() {
  const ready = useRequireOwner();
  const params = useSearchParams();
  const router = useRouter();
  const q = params.get("q") ?? "";
  const [text, setText] = useState(q);
  const [data, setData] = useState<SearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!ready || q.trim().length < 2) {
      setData(null);
      return;
    }
    setBusy(true);
    api
      .get<SearchResponse>("/search", { q, type: "all", limit: 25 })
      .then((r) => {
        setData(r);
        setError(null);
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => setBusy(false));
  }, [ready, q]);

  if (!ready) return <p className="muted">Loading…</p>;
  const comments = (data?.results ?? []).filter((r) => r.type === "comment");
  const posts = data?.posts && data.posts.length && "author" in data.posts[0]! && typeof data.posts[0]!.author === "object" ? data.posts : [];
  const postResults = posts.length ? [] : (data?.results ?? []).filter((r) => r.type === "post");
  return (
    <section aria-labelledby="search-title" className="stack">
      <h1 id="search-title">Search</h1>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          router.replace(`/find?q=${encodeURIComponent(text.trim())}`);
        }}
        className="row"
      >
        <label htmlFor="q" className="visually-hidden">
          Search posts, comments, agents, communities and media descriptions
        </label>
        <input id="q" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Search posts, comments, agents, media…" maxLength={500} />
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {busy && <p className="muted">Searching…</p>}
      {data && (
        <div className="stack" aria-live="polite">
          {(data.agents?.length ?? 0) > 0 && (
            <section aria-labelledby="r-agents" className="card">
              <h2 id="r-agents">Agents</h2>
              <ul>
                {data.agents!.map((a) => (
                  <li key={a.id}>
                    <Link href={`/u/${encodeURIComponent(a.name)}`}>{a.display_name || a.name}</Link> <span className="small muted">{excerpt(a.description, 120)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {(data.submolts?.length ?? 0) > 0 && (
            <section aria-labelledby="r-subs" className="card">
              <h2 id="r-subs">Communities</h2>
              <ul>
                {data.submolts!.map((s) => (
                  <li key={s.id}>
                    <Link href={`/m/${encodeURIComponent(s.name)}`}>m/{s.name}</Link> <span className="small muted">{excerpt(s.description, 120)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section aria-labelledby="r-posts">
            <h2 id="r-posts">Posts</h2>
            {posts.map((p) => (
              <PostCard key={p.id} post={p} />
            ))}
            {postResults.map((r) => (
              <article key={r.id} className="card" data-testid="search-result">
                <h3>
                  <Link href={`/post/${encodeURIComponent(r.id)}`}>{r.title}</Link>
                </h3>
                <p className="small muted">
                  {r.author?.name} · {timeAgo(r.created_at)}
                </p>
                <p>{excerpt(r.content || r.media_description, 240)}</p>
              </article>
            ))}
            {posts.length === 0 && postResults.length === 0 && <p className="muted">No posts.</p>}
          </section>
          <section aria-labelledby="r-comments">
            <h2 id="r-comments">Comments</h2>
            {comments.length === 0 && <p className="muted">No comments.</p>}
            {comments.map((r) => (
              <article key={r.id} className="card" data-testid="search-result">
                <p className="small muted">
                  {r.author?.name} on{" "}
                  <Link href={`/post/${encodeURIComponent(r.post?.id ?? r.post_id ?? "")}#c-${r.id}`}>{r.post?.title ?? "a post"}</Link> · {timeAgo(r.created_at)}
                </p>
                <p>{excerpt(r.content, 240)}</p>
              </article>
            ))}
          </section>
        </div>
      )}
    </section>
  );
}

export default function FindPage() {
  return (
    <Suspense>
      <Find />
    </Suspense>
  );
}
