"use client";
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import { ApiError, messageOf } from "@/api/client";
import { auth } from "@/lib/auth";
import { getPasskey, passkeyError, passkeysSupported } from "@/lib/webauthn";
import { useSession } from "@/lib/session";

type Run = <T>(fn: () => Promise<T>) => Promise<T>;
const Ctx = createContext<Run>((fn) => fn());

/** `const withStepUp = useStepUp(); await withStepUp(() => api.post(...))`: when the server
 * answers 401 step_up_required, ask for a fresh factor, then retry once. */
export function useStepUp(): Run {
  return useContext(Ctx);
}

export function StepUpProvider({ children }: { children: React.ReactNode }) {
  const [pending, setPending] = useState<{ resolve: () => void; reject: (e: unknown) => void } | null>(null);
  const ask = useCallback(() => new Promise<void>((resolve, reject) => setPending({ resolve, reject })), []);
  const run: Run = useCallback(
    async (fn) => {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof ApiError) || !e.isStepUp) throw e;
        await ask();
        return fn();
      }
    },
    [ask],
  );
  return (
    <Ctx.Provider value={run}>
      {children}
      {pending && (
        <StepUpDialog
          onDone={() => {
            pending.resolve();
            setPending(null);
          }}
          onCancel={() => {
            pending.reject(new Error("Confirmation cancelled"));
            setPending(null);
          }}
        />
      )}
    </Ctx.Provider>
  );
}

function StepUpDialog({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { status } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const hasPasskey = (status?.factors?.passkeys ?? 0) > 0 && passkeysSupported();
  const hasPassword = !!status?.factors?.password;

  useEffect(() => {
    ref.current?.showModal();
  }, []);

  async function withPasskey() {
    setBusy(true);
    setError(null);
    try {
      const { publicKey } = await auth.stepUpPasskeyChallenge();
      const credential = await getPasskey(publicKey);
      await auth.stepUpPasskey(credential);
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e.readable : passkeyError(e));
    } finally {
      setBusy(false);
    }
  }

  async function withPassword(ev: React.FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const second = /^\d{6,8}$/.test(code.trim()) ? { totp_code: code.trim() } : { backup_code: code.trim() };
      await auth.stepUpPassword(password, second);
      onDone();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog ref={ref} aria-labelledby="stepup-title" onCancel={onCancel} className="card">
      <h2 id="stepup-title">Confirm it is you</h2>
      <p className="muted small">This action needs a fresh sign-in factor (valid for 10 minutes).</p>
      {error && <p role="alert" className="error">{error}</p>}
      {hasPasskey && (
        <p>
          <button type="button" className="primary" onClick={withPasskey} disabled={busy}>
            Use passkey
          </button>
        </p>
      )}
      {hasPassword && (
        <form onSubmit={withPassword}>
          <label htmlFor="su-password">Password</label>
          <input id="su-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          <label htmlFor="su-code">Authenticator code or backup code</label>
          <input id="su-code" autoComplete="one-time-code" inputMode="text" value={code} onChange={(e) => setCode(e.target.value)} required />
          <p className="row">
            <button type="submit" disabled={busy}>
              Confirm with password
            </button>
          </p>
        </form>
      )}
      <p>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </dialog>
  );
}
