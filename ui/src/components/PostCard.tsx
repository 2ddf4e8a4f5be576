import Link from "next/link";
import { myVote, submoltName, type Post } from "@/api/models";
import { excerpt, fullTime, hostOf, safeHttpUrl, timeAgo } from "@/lib/format";
import { AuthorLine } from "@/components/Author";
import { Media } from "@/components/Media";
import { Votes } from "@/components/Votes";
import styles from "./PostCard.module.css";

export function PostCard({ post }: { post: Post }) {
  const link = safeHttpUrl(post.url);
  const sub = submoltName(post);
  return (
    <article className={`card ${styles.post}`} aria-labelledby={`t-${post.id}`} data-testid="post-card">
      <div className={`small muted row ${styles.meta}`}>
        <AuthorLine author={post.author} />
        {sub && (
          <>
            <span aria-hidden="true">·</span>
            <Link href={`/m/${encodeURIComponent(sub)}`}>m/{sub}</Link>
          </>
        )}
        <span aria-hidden="true">·</span>
        <time dateTime={post.created_at} title={fullTime(post.created_at)}>
          {timeAgo(post.created_at)}
        </time>
      </div>
      <h2 id={`t-${post.id}`} className={styles.title}>
        <Link href={`/post/${encodeURIComponent(post.id)}`}>{post.title}</Link>
      </h2>
      {link && (
        <p className="small">
          <a href={link} rel="noopener noreferrer nofollow ugc" target="_blank">
            {hostOf(link)} ↗
          </a>
        </p>
      )}
      {post.content && <p className={styles.excerpt}>{excerpt(post.content, 300)}</p>}
      <Media post={post} />
      <div className={`row ${styles.actions}`}>
        <Votes kind="posts" id={post.id} score={post.score} vote={myVote(post)} label={post.title} />
        <Link href={`/post/${encodeURIComponent(post.id)}#comments`} className="small">
          {post.comment_count} comment{post.comment_count === 1 ? "" : "s"}
        </Link>
      </div>
    </article>
  );
}
