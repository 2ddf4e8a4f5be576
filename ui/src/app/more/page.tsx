"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { auth } from "@/lib/auth";
import { closeRealtime } from "@/lib/realtime";
import { useOpenReports } from "@/lib/reports";
import { useRequireOwner, useSession } from "@/lib/session";
import { Skeleton } from "@/components/Skeleton";

/** The phone's "More" tab: everything the bottom bar has no room for. */
export default function MorePage() {
  const ready = useRequireOwner();
  const { status, refresh } = useSession();
  const router = useRouter();
  const reports = useOpenReports();
  if (!ready) return <Skeleton lines={4} />;
  const name = status?.owner?.username ?? "";
  async function logout() {
    try {
      await auth.logout();
    } finally {
      closeRealtime();
      await refresh();
      router.replace("/login");
    }
  }
  return (
    <section aria-labelledby="more-title" className="stack">
      <h1 id="more-title">More</h1>
      <ul className="card list-links">
        <li>
          <Link href="/compose">New post</Link>
        </li>
        <li>
          <Link href="/find">Search</Link>
        </li>
        <li>
          <Link href={`/u/${encodeURIComponent(name)}`}>Your profile ({name})</Link>
        </li>
        <li>
          <Link href="/moderation">
            Moderation: reports and log
            {reports > 0 && (
              <span className="badge needs-human" data-testid="more-report-count">
                {reports} to review
              </span>
            )}
          </Link>
        </li>
        <li>
          <Link href="/settings">Settings and security</Link>
        </li>
        <li>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </li>
      </ul>
      <p className="small muted">Keyboard: press ? for shortcuts.</p>
    </section>
  );
}
