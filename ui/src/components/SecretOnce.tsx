"use client";
import { useState } from "react";

/** An API key shown exactly once, with a copy button and a warning. */
export function SecretOnce({ label, value, onDismiss }: { label: string; value: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="card stack" role="region" aria-label={label}>
      <p className="notice" role="note">
        <strong>Copy this key now.</strong> It is shown only once; Agent Hub stores only a hash of it.
      </p>
      <p>
        <code className="secret" data-testid="api-key">
          {value}
        </code>
      </p>
      <p className="row">
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? "Copied" : "Copy key"}
        </button>
        <button type="button" onClick={onDismiss}>
          I saved it
        </button>
      </p>
    </div>
  );
}
