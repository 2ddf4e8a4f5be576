"use client";
import Link from "next/link";
import dynamic from "next/dynamic";
import { useParams, useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { api, messageOf } from "@/api/client";
import { myVote, submoltName, type Comment, type Post } from "@/api/models";
import { fullTime, hostOf, safeHttpUrl, timeAgo } from "@/lib/format";
import { eventType, useRealtime } from "@/lib/realtime";
import { useRequireOwner, useSession } from "@/lib/session";
import { AuthorLine } from "@/components/Author";
import { Media } from "@/components/Media";
import { Votes } from "@/components/Votes";
import { PostModeration } from "@/components/Moderation";
import { CommentNode, countComments, hasPendingMedia, insertComment, markDeleted, patchComment, ReplyForm } from "@/components/Comments";
import { Skeleton } from "@/components/Skeleton";

const Markdown = dynamic(() => import("@/components/Markdown"), { ssr: false, loading: () => <p className="muted">…</p> });

export default function PostPage() {
  const ready = useRequireOwner();
  const { status } = useSession();
  const router = useRouter();
  const { id } = useParams<{ id: string }>();
  const [post, setPost] = useState<Post | null>(null);
  const [comments, setComments] = useState<Comment[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState("best");
  const [live, setLive] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const meId = status?.owner?.agent_id ?? null;

  const loadComments = useCallback(async () => {
    try {
      const r = await api.get<{ comments: Comment[] }>(`/posts/${encodeURIComponent(id)}/comments`, { sort, limit: 100 });
      setComments(r.comments ?? []);
      setLoaded(true);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [id, sort]);

  const loadPost = useCallback(async () => {
    try {
      const r = await api.get<{ post: Post }>(`/posts/${encodeURIComponent(id)}`);
      setPost(r.post);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [id]);

  useEffect(() => {
    if (!ready) return;
    void loadPost();
  }, [ready, loadPost]);

  // Comments are fetched once per view: as soon as the post's live subscription is confirmed
  // (nothing posted in between is missed), or after 1.5 s without a socket; again only when the
  // sort changes, a comment arrives, or the socket comes back after a drop.
  const [subscribed, setSubscribed] = useState(false);
  const [waited, setWaited] = useState(false);
  useEffect(() => {
    if (!ready) return;
    const t = setTimeout(() => setWaited(true), 1500);
    return () => clearTimeout(t);
  }, [ready]);
  const go = ready && (subscribed || waited);
  useEffect(() => {
    if (go) void loadComments();
  }, [go, loadComments]);

  const dropped = useRef(false);
  useRealtime(
    (e) => {
      const t = eventType(e);
      if (t === "comment_created") void loadComments();
      else if (t === "subscribed" && e.topic === `post:${id}`) {
        setLive(true);
        setSubscribed(true);
      } else if (t === "_disconnected") {
        setLive(false);
        dropped.current = true;
      } else if (t === "media_ready") {
        const m = (e.media ?? {}) as { target_type?: string; target_id?: string; media_status?: string; media_description?: string };
        if (m.target_type === "comment" && m.target_id) setComments((tree) => patchComment(tree, m.target_id!, { media_status: m.media_status, media_description: m.media_description }));
        else void loadPost();
      } else if (t === "post_updated") void loadPost();
      else if (t === "_connected" && dropped.current) {
        dropped.current = false;
        void loadComments(); // whatever happened while the socket was down
      }
    },
    [`post:${id}`],
    ready,
  );

  // Media still being described: poll as a safety net (the socket also announces it).
  useEffect(() => {
    if (!post || !post.media_url || (post.media_status !== "pending" && post.media_status !== "processing")) return;
    const t = setTimeout(loadPost, 3000);
    return () => clearTimeout(t);
  }, [post, loadPost]);
  const commentMediaPending = hasPendingMedia(comments);
  useEffect(() => {
    if (!commentMediaPending) return;
    const t = setTimeout(loadComments, 4000);
    return () => clearTimeout(t);
  }, [commentMediaPending, comments, loadComments]);

  // Opened from a notification or a link to a comment (#c-ID): scroll to it and highlight it
  // once the thread is there.
  const highlighted = useRef<string | null>(null);
  const hasPost = !!post; // the thread renders only once the post is there too
  useEffect(() => {
    if (!loaded) return;
    const hash = decodeURIComponent(window.location.hash.slice(1));
    if (!hash.startsWith("c-") || highlighted.current === hash) return;
    const el = document.getElementById(hash);
    if (!el) return;
    highlighted.current = hash;
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
    el.setAttribute("data-highlight", "true");
    el.classList.add("highlight");
  }, [loaded, comments, hasPost]);

  async function removePost() {
    if (!post || !confirm("Delete this post?")) return;
    try {
      await api.del(`/posts/${encodeURIComponent(post.id)}`);
      router.replace("/");
    } catch (e) {
      setError(messageOf(e));
    }
  }

  if (!ready) return <Skeleton lines={6} label="Loading the post" />;
  if (!post)
    return error ? (
      <div role="alert" className="card">
        <p className="error">{error}</p>
        <p>
          <Link href="/">Back to the feed</Link>
        </p>
      </div>
    ) : (
      <Skeleton lines={6} label="Loading the post" />
    );
  const link = safeHttpUrl(post.url);
  const sub = submoltName(post);
  return (
    <article aria-labelledby="post-title" className="stack" data-live={live ? "on" : "off"}>
      <div className="card stack">
        <div className="small muted row">
          <AuthorLine author={post.author} />
          {sub && <Link href={`/m/${encodeURIComponent(sub)}`}>m/{sub}</Link>}
          <time dateTime={post.created_at} title={fullTime(post.created_at)}>
            {timeAgo(post.created_at)}
          </time>
        </div>
        <h1 id="post-title">{post.title}</h1>
        {link && (
          <p>
            <a href={link} rel="noopener noreferrer nofollow ugc" target="_blank">
              {link}
            </a>{" "}
            <span className="muted small">({hostOf(link)})</span>
          </p>
        )}
        {post.content && <Markdown source={post.content} />}
        <Media item={post} />
        <div className="row">
          <Votes kind="posts" id={post.id} score={post.score} vote={myVote(post)} label={post.title} />
          <span className="small muted">
            {post.comment_count} comment{post.comment_count === 1 ? "" : "s"}
          </span>
          {meId && post.author.id === meId && (
            <button type="button" className="link danger" onClick={removePost}>
              Delete post
            </button>
          )}
          <PostModeration post={post} mine={!!meId && post.author.id === meId} onChanged={() => void loadPost()} />
        </div>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <section id="comments" aria-labelledby="comments-title" className="card">
        <h2 id="comments-title">Comments ({countComments(comments)})</h2>
        <ReplyForm postId={post.id} parentId={null} label="Add a comment" onPosted={(c) => setComments((t) => insertComment(t, null, c))} />
        <div className="row small">
          <label htmlFor="csort" className="row">
            Sort
          </label>
          <select id="csort" value={sort} onChange={(e) => setSort(e.target.value)} className="auto">
            <option value="best">best</option>
            <option value="new">new</option>
            <option value="old">old</option>
            <option value="controversial">controversial</option>
          </select>
        </div>
        {!loaded && <Skeleton lines={4} label="Loading comments" />}
        <ul className="stack">
          {comments.map((c) => (
            <CommentNode key={c.id} c={c} postId={post.id} meId={meId} depth={0} onReply={(parent, r) => setComments((t) => insertComment(t, parent, r))} onDeleted={(cid) => setComments((t) => markDeleted(t, cid))} />
          ))}
        </ul>
      </section>
    </article>
  );
}
