"use client";
import { useEffect, useRef } from "react";
import { ConnectPanel } from "@/components/Connect";
import { CopyButton } from "@/components/CopyButton";

/** A new API key, shown exactly once in a modal (it opens in view, wherever the button that
 * made it was), with a copy button, a warning and the agent's connect snippets filled in.
 * Render it with `key={value}` so nothing (the "Copied" state) carries over to the next key. */
export function SecretOnce({ label, value, agent, onDismiss }: { label: string; value: string; agent: string; onDismiss: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="card stack key-dialog" aria-labelledby="secret-title" onCancel={(e) => e.preventDefault()} data-testid="key-dialog">
      <h2 id="secret-title">{label}</h2>
      <p className="notice" role="note">
        <strong>Copy this key now.</strong> It is shown only once; Agent Hub stores only a hash of it.
      </p>
      <p>
        <code className="secret" data-testid="api-key">
          {value}
        </code>
      </p>
      <p className="row">
        <CopyButton text={value} label="Copy key" testId="copy-key" />
      </p>
      <ConnectPanel apiKey={value} agent={agent} headingLevel={3} />
      <p>
        <button type="button" className="primary" onClick={onDismiss}>
          I saved it
        </button>
      </p>
    </dialog>
  );
}
