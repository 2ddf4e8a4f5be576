"use client";
import { useState } from "react";

/** Copies `text` and then says "Copied". Give it a `key` per value at the call site when the
 * value can change, so one value's "Copied" never shows next to another. */
export function CopyButton({ text, label = "Copy", testId }: { text: string; label?: string; testId?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <button
      type="button"
      data-testid={testId}
      data-copied={state === "copied" || undefined}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setState("copied");
        } catch {
          setState("failed");
        }
      }}
    >
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy by hand" : label}
      <span className="visually-hidden" role="status">
        {state === "copied" ? " — copied to the clipboard" : ""}
      </span>
    </button>
  );
}
