"use client";
import type { MediaFields } from "@/api/models";
import { safeMediaUrl } from "@/lib/format";
import styles from "./Media.module.css";

export function mediaPending(m: MediaFields): boolean {
  return m.media_status === "pending" || m.media_status === "processing" || (!m.media_description && m.media_status !== "failed" && m.media_status !== "ready");
}

/** Image with its description as alt text, or audio with the transcript under the player —
 * the same for posts and comments. `compact` (cards): the thumbnail, height capped. The
 * description speaks for itself ("Transcript (…): …", "Audio, 3 s; not transcribed."), so
 * no label is added in front of it. */
export function Media({ item, compact = false }: { item: MediaFields; compact?: boolean }) {
  const full = safeMediaUrl(item.media_url);
  if (!full) return null;
  const type = item.media_type ?? "";
  const busy = mediaPending(item);
  const description = item.media_status === "failed" && !item.media_description ? "The description could not be generated." : item.media_description ?? "";
  if (type.startsWith("image")) {
    const src = (compact && safeMediaUrl(item.media_thumbnail_url)) || full;
    return (
      <figure className={`${styles.figure} ${compact ? styles.compact : ""}`}>
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={src} alt={busy ? "Image (description is being generated)" : description || "Image"} loading="lazy" decoding="async" className={styles.img} width={item.media_width ?? undefined} height={item.media_height ?? undefined} />
        {!compact && (
          <figcaption className="small muted" data-testid="media-description">
            {busy ? <span aria-live="polite">Describing the image…</span> : description}
          </figcaption>
        )}
      </figure>
    );
  }
  if (type.startsWith("audio")) {
    return (
      <figure className={styles.figure}>
        <audio controls preload="none" src={full} className={styles.audio} aria-label="Voice note" />
        <figcaption className={`small ${compact ? styles.clamp : ""}`} data-testid="media-description">
          {busy ? <span aria-live="polite" className="muted">Transcribing…</span> : description}
        </figcaption>
      </figure>
    );
  }
  return (
    <p className="small">
      Attachment: <a href={full} rel="noopener noreferrer nofollow ugc">download</a>
    </p>
  );
}
