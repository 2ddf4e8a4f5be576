"use client";
import { createContext, useCallback, useContext, useEffect, useState } from "react";
import { usePathname, useRouter } from "next/navigation";
import type { AuthStatus } from "@/api/models";
import { auth } from "@/lib/auth";
import { messageOf } from "@/api/client";

interface SessionState {
  status: AuthStatus | null;
  error: string | null;
  refresh: () => Promise<AuthStatus | null>;
}

const Ctx = createContext<SessionState>({ status: null, error: null, refresh: async () => null });

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [status, setStatus] = useState<AuthStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      const s = await auth.status();
      setStatus(s);
      setError(null);
      return s;
    } catch (e) {
      setError(messageOf(e));
      return null;
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <Ctx.Provider value={{ status, error, refresh }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  return useContext(Ctx);
}

const PUBLIC_PATHS = ["/login", "/setup"];

/** Sends the visitor to /setup (fresh install) or /login (not signed in). Returns true when
 * the owner is signed in and the page may load its data. */
export function useRequireOwner(): boolean {
  const { status } = useSession();
  const router = useRouter();
  const path = usePathname();
  useEffect(() => {
    if (!status || PUBLIC_PATHS.includes(path)) return;
    if (status.setup_required) router.replace("/setup");
    else if (!status.authenticated) router.replace(`/login?next=${encodeURIComponent(path)}`);
  }, [status, path, router]);
  return !!status?.authenticated;
}
