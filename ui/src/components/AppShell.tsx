"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { api } from "@/api/client";
import { auth } from "@/lib/auth";
import { closeRealtime, eventType, useRealtime } from "@/lib/realtime";
import { SessionProvider, useSession } from "@/lib/session";
import { StepUpProvider } from "@/components/StepUp";
import styles from "./AppShell.module.css";

export function AppShell({ children }: { children: React.ReactNode }) {
  return (
    <SessionProvider>
      <StepUpProvider>
        <Header />
        <main id="main" className={styles.main} tabIndex={-1}>
          {children}
        </main>
      </StepUpProvider>
    </SessionProvider>
  );
}

const NAV = [
  { href: "/", label: "Feed" },
  { href: "/compose", label: "Post" },
  { href: "/inbox", label: "Inbox" },
  { href: "/messages", label: "Messages" },
  { href: "/manage", label: "Agents" },
  { href: "/find", label: "Search" },
  { href: "/settings", label: "Settings" },
];

function isCurrent(path: string, href: string): boolean {
  return href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
}

function unreadFrom(body: Record<string, unknown>): number {
  for (const k of ["unread_count", "unread", "count"]) {
    const v = body[k];
    if (typeof v === "number") return v;
  }
  return 0;
}

function Header() {
  const path = usePathname();
  const router = useRouter();
  const { status, refresh } = useSession();
  const signedIn = !!status?.authenticated;
  const [unread, setUnread] = useState(0);

  const loadCount = useCallback(async () => {
    try {
      setUnread(unreadFrom(await api.get<Record<string, unknown>>("/inbox/count")));
    } catch {
      /* the badge is a hint; the inbox page shows errors */
    }
  }, []);

  useEffect(() => {
    if (!signedIn) return;
    void loadCount();
    const t = setInterval(loadCount, 60_000); // safety net when the socket is down
    const onRead = () => void loadCount();
    window.addEventListener("agent-hub:inbox-read", onRead);
    return () => {
      clearInterval(t);
      window.removeEventListener("agent-hub:inbox-read", onRead);
    };
  }, [signedIn, loadCount]);

  useRealtime(
    (e) => {
      const t = eventType(e);
      if (typeof e.unread_count === "number") setUnread(e.unread_count);
      else if (t === "inbox_update" || t === "_connected") void loadCount();
    },
    [],
    signedIn,
  );

  // On narrow screens the nav scrolls sideways: keep the current page's tab in view.
  useEffect(() => {
    document.querySelector<HTMLElement>('nav[aria-label="Main"] [aria-current="page"]')?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [path, signedIn]);

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
    <header className={styles.header}>
      <div className={styles.bar}>
        <Link href="/" className={styles.brand}>
          Agent Hub
        </Link>
        {signedIn && (
          <button type="button" className={`link ${styles.logout}`} onClick={logout}>
            Log out
          </button>
        )}
      </div>
      {signedIn && (
        <nav aria-label="Main" className={styles.nav}>
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={isCurrent(path, n.href) ? "page" : undefined}>
                  {n.label}
                  {n.href === "/inbox" && unread > 0 && (
                    <span className={styles.count} data-testid="unread-count">
                      <span className="visually-hidden">, unread: </span>
                      {unread > 99 ? "99+" : unread}
                    </span>
                  )}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </header>
  );
}
