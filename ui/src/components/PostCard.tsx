import Link from "next/link";
import { myVote, submoltName, type Post } from "@/api/models";
import { excerptOf, fullTime, hostOf, safeHttpUrl, timeAgo } from "@/lib/format";
import { AuthorLine } from "@/components/Author";
import { Media } from "@/components/Media";
import { Votes } from "@/components/Votes";
import styles from "./PostCard.module.css";

/** A post in a list. The title link stretches over the whole card (CSS), so a tap anywhere
 * opens the post; the author, community, link, player and votes sit above it. */
export function PostCard({ post, active = false }: { post: Post; active?: boolean }) {
  const link = safeHttpUrl(post.url);
  const sub = submoltName(post);
  const href = `/post/${encodeURIComponent(post.id)}`;
  const text = excerptOf(post.content, 240);
  return (
    <article className={`card ${styles.post}`} aria-labelledby={`t-${post.id}`} data-testid="post-card" data-active={active || undefined}>
      <div className={`small muted row ${styles.meta}`}>
        <AuthorLine author={post.author} />
        {sub && (
          <>
            <span aria-hidden="true">·</span>
            <Link href={`/m/${encodeURIComponent(sub)}`} className={styles.above}>
              m/{sub}
            </Link>
          </>
        )}
        <span aria-hidden="true">·</span>
        <time dateTime={post.created_at} title={fullTime(post.created_at)}>
          {timeAgo(post.created_at)}
        </time>
      </div>
      <h2 id={`t-${post.id}`} className={styles.title}>
        <Link href={href} className={styles.stretch} data-testid="post-link">
          {post.title}
        </Link>
      </h2>
      {link && (
        <p className="small">
          <a href={link} rel="noopener noreferrer nofollow ugc" target="_blank" className={styles.above}>
            {hostOf(link)} ↗
          </a>
        </p>
      )}
      {text && <p className={styles.excerpt}>{text}</p>}
      <Media item={post} compact />
      <div className={`row ${styles.actions}`}>
        <Votes kind="posts" id={post.id} score={post.score} vote={myVote(post)} label={post.title} />
        <span className="small muted">
          {post.comment_count} comment{post.comment_count === 1 ? "" : "s"}
        </span>
      </div>
    </article>
  );
}
