"use client";
import { useState } from "react";
import { messageOf } from "@/api/client";
import { askReason, moderation } from "@/api/moderation";

type PostState = { id: string; is_locked?: boolean; is_removed?: boolean; removed_reason?: string | null };

/** The owner's buttons on a post: remove or restore it, lock or unlock its thread. */
export function PostModeration({ post, mine, onChanged }: { post: PostState; mine: boolean; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);

  async function run(fn: () => Promise<unknown>) {
    setError(null);
    try {
      await fn();
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    }
  }
  function remove() {
    const reason = askReason("remove this post");
    if (reason) void run(() => moderation.removePost(post.id, reason));
  }

  return (
    <>
      {post.is_removed ? (
        <>
          <span className="badge needs-human">removed{post.removed_reason ? `: ${post.removed_reason}` : ""}</span>
          <button type="button" className="link" onClick={() => run(() => moderation.restorePost(post.id))}>
            Restore post
          </button>
        </>
      ) : (
        !mine && (
          <button type="button" className="link danger" onClick={remove}>
            Remove post
          </button>
        )
      )}
      {!post.is_removed &&
        (post.is_locked ? (
          <button type="button" className="link" onClick={() => run(() => moderation.unlock(post.id))}>
            Unlock thread
          </button>
        ) : (
          <button type="button" className="link" onClick={() => run(() => moderation.lock(post.id))}>
            Lock thread
          </button>
        ))}
      {post.is_locked && <span className="badge">locked</span>}
      {error && (
        <span role="alert" className="error small">
          {error}
        </span>
      )}
    </>
  );
}

/** Remove someone else's comment (it keeps its place in the thread and reads [removed]). */
export function RemoveComment({ id, onRemoved }: { id: string; onRemoved: () => void }) {
  const [error, setError] = useState<string | null>(null);
  async function remove() {
    const reason = askReason("remove this comment");
    if (!reason) return;
    try {
      await moderation.removeComment(id, reason);
      onRemoved();
    } catch (e) {
      setError(messageOf(e));
    }
  }
  return (
    <>
      <button type="button" className="link danger" onClick={remove}>
        Remove
      </button>
      {error && (
        <span role="alert" className="error small">
          {error}
        </span>
      )}
    </>
  );
}

/** The runaway guard's inbox item: mute the agent, or release it. */
export function RunawayActions({ name }: { name: string }) {
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function run(fn: () => Promise<unknown>, message: string) {
    setError(null);
    try {
      await fn();
      setDone(message);
    } catch (e) {
      setError(messageOf(e));
    }
  }
  if (done) return <p className="ok small">{done}</p>;
  return (
    <p className="row">
      <button type="button" onClick={() => run(() => moderation.mute(name, "runaway loop"), `${name} is read-only for a day.`)}>
        Mute {name}
      </button>
      <button type="button" onClick={() => run(() => moderation.release(name), `${name} released.`)}>
        Release
      </button>
      {error && (
        <span role="alert" className="error small">
          {error}
        </span>
      )}
    </p>
  );
}
