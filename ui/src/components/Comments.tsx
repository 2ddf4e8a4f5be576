"use client";
import { useState } from "react";
import { api, messageOf } from "@/api/client";
import { myVote, type Comment } from "@/api/models";
import { fullTime, timeAgo } from "@/lib/format";
import { AuthorLine } from "@/components/Author";
import { Votes } from "@/components/Votes";
import Markdown from "@/components/Markdown";
import { Media, mediaPending } from "@/components/Media";
import { RemoveComment } from "@/components/Moderation";
import styles from "./Comments.module.css";

export function ReplyForm({ postId, parentId, onPosted, onCancel, label }: { postId: string; parentId: string | null; onPosted: (c: Comment) => void; onCancel?: () => void; label: string }) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `reply-${parentId ?? "root"}`;
  async function submit(ev: React.FormEvent) {
    ev.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ comment: Comment }>(`/posts/${encodeURIComponent(postId)}/comments`, parentId ? { content: text, parent_id: parentId } : { content: text });
      setText("");
      onPosted(r.comment);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className={styles.reply}>
      <label htmlFor={id} className={parentId ? "visually-hidden" : undefined}>
        {label}
      </label>
      <textarea id={id} value={text} onChange={(e) => setText(e.target.value)} maxLength={10000} required rows={parentId ? 3 : 4} />
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      <p className="row">
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          {parentId ? "Reply" : "Comment"}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </p>
    </form>
  );
}

export function CommentNode({ c, postId, meId, depth, onReply, onDeleted }: { c: Comment; postId: string; meId: string | null; depth: number; onReply: (parent: string, c: Comment) => void; onDeleted: (id: string) => void }) {
  const [open, setOpen] = useState(true);
  const [replying, setReplying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const replies = c.replies ?? [];
  const deleted = c.is_deleted || c.content === "[deleted]";
  const mine = !!meId && c.author?.id === meId;
  // Removed by a moderator: the server sends `[removed]`; just now by the owner: shown at once.
  const [removedNow, setRemovedNow] = useState(false);
  const removed = removedNow || c.content === "[removed]";

  async function remove() {
    if (!confirm("Delete this comment?")) return;
    try {
      await api.del(`/comments/${encodeURIComponent(c.id)}`);
      onDeleted(c.id);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  return (
    <li className={styles.node} data-depth={Math.min(depth, 10)} data-testid="comment" id={`c-${c.id}`} tabIndex={-1}>
      <div className={styles.head}>
        <button type="button" className={styles.toggle} aria-expanded={open} aria-label={open ? `Collapse thread (${replies.length} replies)` : `Expand thread (${replies.length} replies)`} onClick={() => setOpen((o) => !o)}>
          {open ? "−" : "+"}
        </button>
        {c.author && !deleted ? <AuthorLine author={c.author} /> : <span className="muted">[deleted]</span>}
        <time className="small muted" dateTime={c.created_at} title={fullTime(c.created_at)}>
          {timeAgo(c.created_at)}
        </time>
        {!open && replies.length > 0 && <span className="small muted">({replies.length} hidden)</span>}
      </div>
      {open && (
        <>
          <div className={styles.body}>
            {deleted ? <p className="muted">[deleted]</p> : removed ? <p className="muted">[removed]</p> : <Markdown source={c.content} />}
            {!deleted && !removed && <Media item={c} />}
          </div>
          <div className="row small">
            {!deleted && <Votes kind="comments" id={c.id} score={c.score ?? (c.upvotes ?? 0) - (c.downvotes ?? 0)} vote={myVote(c)} label={`comment by ${c.author?.name ?? "unknown"}`} />}
            <button type="button" className="link" onClick={() => setReplying((r) => !r)} aria-expanded={replying}>
              Reply
            </button>
            {mine && !deleted && (
              <button type="button" className="link danger" onClick={remove}>
                Delete
              </button>
            )}
            {!mine && !deleted && !removed && <RemoveComment id={c.id} onRemoved={() => setRemovedNow(true)} />}
          </div>
          {error && (
            <p role="alert" className="error small">
              {error}
            </p>
          )}
          {replying && (
            <ReplyForm
              postId={postId}
              parentId={c.id}
              label={`Reply to ${c.author?.name ?? "comment"}`}
              onPosted={(r) => {
                setReplying(false);
                onReply(c.id, r);
              }}
              onCancel={() => setReplying(false)}
            />
          )}
          {replies.length > 0 && (
            <ul className={styles.children}>
              {replies.map((r) => (
                <CommentNode key={r.id} c={r} postId={postId} meId={meId} depth={depth + 1} onReply={onReply} onDeleted={onDeleted} />
              ))}
            </ul>
          )}
        </>
      )}
    </li>
  );
}

/** Insert `c` under `parent` (or at the root) unless it is already in the tree. */
export function insertComment(tree: Comment[], parent: string | null, c: Comment): Comment[] {
  const has = (list: Comment[]): boolean => list.some((x) => x.id === c.id || has(x.replies ?? []));
  if (has(tree)) return tree;
  if (!parent) return [...tree, { ...c, replies: c.replies ?? [] }];
  const walk = (list: Comment[]): Comment[] =>
    list.map((x) => (x.id === parent ? { ...x, replies: [...(x.replies ?? []), { ...c, replies: c.replies ?? [] }] } : { ...x, replies: walk(x.replies ?? []) }));
  return walk(tree);
}

export function markDeleted(tree: Comment[], id: string): Comment[] {
  return tree.map((x) => (x.id === id ? { ...x, is_deleted: true, content: "[deleted]" } : { ...x, replies: markDeleted(x.replies ?? [], id) }));
}

export function countComments(tree: Comment[]): number {
  return tree.reduce((n, x) => n + 1 + countComments(x.replies ?? []), 0);
}

/** Merge fields into one comment of the tree (media described while the page is open). */
export function patchComment(tree: Comment[], id: string, fields: Partial<Comment>): Comment[] {
  return tree.map((x) => (x.id === id ? { ...x, ...fields } : { ...x, replies: patchComment(x.replies ?? [], id, fields) }));
}

export function hasPendingMedia(tree: Comment[]): boolean {
  return tree.some((x) => (!!x.media_url && mediaPending(x)) || hasPendingMedia(x.replies ?? []));
}
