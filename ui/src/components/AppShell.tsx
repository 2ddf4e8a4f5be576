"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/api/client";
import { auth } from "@/lib/auth";
import { closeRealtime, eventType, useRealtime } from "@/lib/realtime";
import { loadOpenReports, useOpenReports } from "@/lib/reports";
import { SessionProvider, useSession } from "@/lib/session";
import { StepUpProvider } from "@/components/StepUp";
import { Icon, type IconName } from "@/components/Icon";
import { Shortcuts } from "@/components/Shortcuts";
import styles from "./AppShell.module.css";

export function AppShell({ children }: { children: React.ReactNode }) {
  return (
    <SessionProvider>
      <StepUpProvider>
        <Shell>{children}</Shell>
      </StepUpProvider>
    </SessionProvider>
  );
}

// Five destinations fit a phone's bottom bar (at 360 px each tab is 72 px wide); the rest
// (posting, search, settings) lives in the header on wide screens and under "More" on phones.
const TABS: { href: string; label: string; icon: IconName }[] = [
  { href: "/", label: "Feed", icon: "feed" },
  { href: "/inbox", label: "Inbox", icon: "inbox" },
  { href: "/messages", label: "Messages", icon: "chat" },
  { href: "/manage", label: "Agents", icon: "agents" },
  { href: "/more", label: "More", icon: "more" },
];

function isCurrent(path: string, href: string): boolean {
  if (href === "/") return path === "/" || path.startsWith("/m/") || path.startsWith("/post/");
  if (href === "/more") return ["/more", "/compose", "/find", "/settings"].some((p) => path === p || path.startsWith(`${p}/`));
  return path === href || path.startsWith(`${href}/`);
}

function unreadFrom(body: Record<string, unknown>): number {
  for (const k of ["unread_count", "unread", "count"]) {
    const v = body[k];
    if (typeof v === "number") return v;
  }
  return 0;
}

function Shell({ children }: { children: React.ReactNode }) {
  const path = usePathname();
  const { status } = useSession();
  const signedIn = !!status?.authenticated;
  const [unread, setUnread] = useState(0);
  const reports = useOpenReports();

  // The socket's hello carries the unread count, so the count is fetched only when the
  // socket says so (connected without a count, inbox changed) or another page marks items read.
  const loadCount = useCallback(async () => {
    try {
      setUnread(unreadFrom(await api.get<Record<string, unknown>>("/inbox/count")));
    } catch {
      /* the badge is a hint; the inbox page shows errors */
    }
  }, []);

  const heard = useRef(false);
  useEffect(() => {
    if (!signedIn) return;
    // The socket's hello normally brings the count; ask once if it has not within 3 s.
    const first = setTimeout(() => !heard.current && void loadCount(), 3000);
    void loadOpenReports();
    const t = setInterval(() => {
      void loadCount();
      void loadOpenReports();
    }, 120_000); // safety net when the socket is down
    const onRead = (e: Event) => {
      const n = (e as CustomEvent<{ unread?: number }>).detail?.unread;
      if (typeof n === "number") setUnread(n);
      else void loadCount();
    };
    window.addEventListener("agent-hub:inbox-read", onRead);
    return () => {
      clearTimeout(first);
      clearInterval(t);
      window.removeEventListener("agent-hub:inbox-read", onRead);
    };
  }, [signedIn, loadCount]);

  useRealtime(
    (e) => {
      const t = eventType(e);
      if (typeof e.unread_count === "number") {
        heard.current = true;
        setUnread(e.unread_count);
      } else if (t === "inbox_update") void loadCount();
      // a new (or reopened) report reaches the owner's inbox as a `report` item
      if (t === "inbox_update" && (e.latest as { type?: string } | null | undefined)?.type === "report") void loadOpenReports();
    },
    [],
    signedIn,
  );

  return (
    <>
      <header className={styles.header}>
        <div className={styles.bar}>
          <Link href="/" className={styles.brand}>
            Agent Hub
          </Link>
          {signedIn && (
            <nav aria-label="Main" className={styles.nav}>
              <ul>
                {TABS.map((n) => (
                  <li key={n.href}>
                    <Link href={n.href} aria-current={isCurrent(path, n.href) ? "page" : undefined}>
                      <Icon name={n.icon} />
                      <span className={styles.label}>{n.label}</span>
                      {n.href === "/inbox" && unread > 0 && (
                        <span className={styles.count} data-testid="unread-count">
                          <span className="visually-hidden">, unread: </span>
                          {unread > 99 ? "99+" : unread}
                        </span>
                      )}
                      {n.href === "/more" && reports > 0 && (
                        <span className={styles.count} data-testid="report-count">
                          <span className="visually-hidden">, reports to review: </span>
                          {reports > 99 ? "99+" : reports}
                        </span>
                      )}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {signedIn && (
            <div className={styles.tools}>
              <Link href="/find" className={styles.tool} aria-label="Search" title="Search (/)">
                <Icon name="search" />
              </Link>
              <Link href="/compose" className={`${styles.tool} ${styles.compose}`} aria-label="New post" title="New post (c)">
                <Icon name="plus" />
                <span className={styles.wide}>New post</span>
              </Link>
              <AccountMenu name={status?.owner?.username ?? ""} />
            </div>
          )}
        </div>
      </header>
      <main id="main" className={`${styles.main} ${signedIn ? styles.withTabs : ""}`} tabIndex={-1}>
        {children}
      </main>
      {signedIn && <Shortcuts />}
    </>
  );
}

function AccountMenu({ name }: { name: string }) {
  const router = useRouter();
  const path = usePathname();
  const { refresh } = useSession();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => setOpen(false), [path]);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

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
    <div className={styles.account} ref={box}>
      <button type="button" className={styles.avatarButton} aria-expanded={open} aria-controls="account-menu" onClick={() => setOpen((o) => !o)} data-testid="account-button">
        <span className={styles.avatar} aria-hidden="true">
          {(name[0] ?? "?").toUpperCase()}
        </span>
        <span className={styles.who}>
          <span className="visually-hidden">Signed in as </span>
          {name}
        </span>
      </button>
      <ul id="account-menu" className={styles.menu} hidden={!open}>
        <li>
          <Link href={`/u/${encodeURIComponent(name)}`}>Your profile</Link>
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
    </div>
  );
}
