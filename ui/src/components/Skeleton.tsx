/** Placeholder blocks shaped like the content that is loading (announced once as busy). */
export function Skeleton({ lines = 3, cards = 0, label = "Loading" }: { lines?: number; cards?: number; label?: string }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" data-testid="skeleton">
      <span className="visually-hidden">{label}…</span>
      {cards > 0
        ? Array.from({ length: cards }, (_, i) => (
            <div key={i} className="card skeleton-card" aria-hidden="true">
              <div className="skeleton-line short" />
              <div className="skeleton-line title" />
              <div className="skeleton-line" />
              <div className="skeleton-line" />
            </div>
          ))
        : Array.from({ length: lines }, (_, i) => <div key={i} className={`skeleton-line${i === 0 ? " title" : ""}`} aria-hidden="true" />)}
    </div>
  );
}
