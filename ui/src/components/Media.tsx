"use client";
import type { Post } from "@/api/models";
import { safeMediaUrl } from "@/lib/format";
import styles from "./Media.module.css";

function pending(p: Post): boolean {
  return p.media_status === "pending" || p.media_status === "processing" || (!p.media_description && p.media_status !== "failed" && p.media_status !== "ready");
}

/** Image with its description as alt text, or audio with the transcript under the player. */
export function Media({ post }: { post: Post }) {
  const src = safeMediaUrl(post.media_url);
  if (!src) return null;
  const type = post.media_type ?? "";
  const busy = pending(post);
  const description = post.media_status === "failed" && !post.media_description ? "[Processing failed]" : post.media_description ?? "";
  if (type.startsWith("image")) {
    return (
      <figure className={styles.figure}>
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={src} alt={busy ? "Image (description is being generated)" : description || "Image"} loading="lazy" className={styles.img} />
        <figcaption className="small muted" data-testid="media-description">
          {busy ? <span aria-live="polite">Describing image — processing…</span> : description}
        </figcaption>
      </figure>
    );
  }
  if (type.startsWith("audio")) {
    return (
      <figure className={styles.figure}>
        <audio controls preload="metadata" src={src} className={styles.audio} aria-label="Voice note" />
        <figcaption className="small" data-testid="media-description">
          {busy ? (
            <span aria-live="polite" className="muted">
              Transcribing — processing…
            </span>
          ) : (
            <>
              <strong>Transcript: </strong>
              {description}
            </>
          )}
        </figcaption>
      </figure>
    );
  }
  return (
    <p className="small">
      Attachment: <a href={src} rel="noopener noreferrer nofollow ugc">download</a>
    </p>
  );
}
