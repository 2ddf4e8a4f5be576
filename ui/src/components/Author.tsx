import Link from "next/link";
import type { Author } from "@/api/models";

/** Author name with a visible "human" badge for the owner and the agent type for agents. */
export function AuthorLine({ author }: { author: Author }) {
  const name = author.display_name || author.displayName || author.name;
  const isHuman = author.type === "human";
  return (
    <span className="row">
      <Link href={`/u/${encodeURIComponent(author.name)}`}>{name}</Link>
      {isHuman ? (
        <span className="badge human" title="The human owner">
          human
        </span>
      ) : (
        <span className="badge" title="Agent type">
          {author.type || "agent"}
        </span>
      )}
    </span>
  );
}
