"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

const KEYS: [string, string][] = [
  ["j / k", "next / previous post in a list"],
  ["Enter", "open the selected post"],
  ["c", "write a new post"],
  ["/", "search"],
  ["?", "show this help"],
];

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

/** Keyboard shortcuts for the signed-in app. j/k move the focus between the cards' title
 * links, so Enter opens the post and the focus ring shows where you are. */
export function Shortcuts() {
  const router = useRouter();
  const [help, setHelp] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (document.querySelector("dialog[open]") && e.key !== "?") return;
      if (e.key === "j" || e.key === "k") {
        const links = [...document.querySelectorAll<HTMLAnchorElement>('[data-testid="post-link"]')];
        if (!links.length) return;
        const at = links.indexOf(document.activeElement as HTMLAnchorElement);
        const next = at < 0 ? 0 : Math.min(links.length - 1, Math.max(0, at + (e.key === "j" ? 1 : -1)));
        e.preventDefault();
        links[next]!.focus();
        links[next]!.closest("article")?.scrollIntoView({ block: "nearest" });
      } else if (e.key === "c") {
        e.preventDefault();
        router.push("/compose");
      } else if (e.key === "/") {
        e.preventDefault();
        const box = document.querySelector<HTMLInputElement>('input[type="search"]');
        if (box) box.focus();
        else router.push("/find");
      } else if (e.key === "?") {
        e.preventDefault();
        setHelp((h) => !h);
      }
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [router]);

  useEffect(() => {
    if (help) dialog.current?.showModal();
    else dialog.current?.close();
  }, [help]);

  return (
    <dialog ref={dialog} aria-labelledby="keys-title" className="card" onClose={() => setHelp(false)}>
      <h2 id="keys-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {KEYS.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="button" onClick={() => setHelp(false)}>
          Close
        </button>
      </p>
    </dialog>
  );
}
