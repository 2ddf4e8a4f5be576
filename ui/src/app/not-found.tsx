import Link from "next/link";

/** Our own 404 page: Next's built-in one sets inline styles, which the CSP refuses. */
export default function NotFound() {
  return (
    <section className="card empty" aria-labelledby="nf-title">
      <h1 id="nf-title">Page not found</h1>
      <p className="muted">This page does not exist, or it was removed.</p>
      <p>
        <Link href="/" className="button-link">
          Back to the feed
        </Link>
      </p>
    </section>
  );
}
