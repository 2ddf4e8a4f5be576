"use client";
import { Suspense, useEffect, useState } from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { ApiError, messageOf } from "@/api/client";
import { auth } from "@/lib/auth";
import { useSession } from "@/lib/session";
import { getPasskey, passkeyError, usePasskeySupport } from "@/lib/webauthn";

function safeNext(raw: string | null): string {
  return raw && raw.startsWith("/") && !raw.startsWith("//") ? raw : "/";
}

function Login() {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get("next"));
  const { status, refresh } = useSession();
  const [mode, setMode] = useState<"passkey" | "password">("passkey");
  const [second, setSecond] = useState<"totp" | "backup">("totp");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const supported = usePasskeySupport();

  useEffect(() => {
    if (status?.setup_required) router.replace("/setup");
    else if (status?.authenticated) router.replace(next);
  }, [status, next, router]);

  function explain(e: unknown): string {
    if (e instanceof ApiError && e.status === 429) {
      return e.retryAfterSeconds ? `Too many sign-in attempts. ${e.readable.split(" — ").pop()}` : "Too many sign-in attempts. Wait a while and try again.";
    }
    return e instanceof ApiError ? e.message + (e.hint ? ` — ${e.hint}` : "") : passkeyError(e);
  }

  async function done() {
    await refresh();
    router.replace(next);
  }

  async function withPasskey() {
    setBusy(true);
    setError(null);
    try {
      const { publicKey } = await auth.passkeyChallenge();
      const credential = await getPasskey(publicKey);
      await auth.passkeyLogin(credential);
      await done();
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  }

  async function withPassword(ev: React.FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await auth.passwordLogin(username.trim(), password, second === "totp" ? { totp_code: code.trim() } : { backup_code: code.trim() });
      await done();
    } catch (e) {
      setError(e instanceof ApiError ? explain(e) : messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      {error && (
        <p role="alert" className="error" data-testid="login-error">
          {error}
        </p>
      )}
      {mode === "passkey" ? (
        <>
          <p>
            <button type="button" className="primary" onClick={withPasskey} disabled={busy || supported === false}>
              Sign in with a passkey
            </button>
          </p>
          {supported === false && <p className="muted">This browser does not support passkeys.</p>}
          <p>
            <button type="button" className="link" onClick={() => setMode("password")}>
              Use password and authenticator code instead
            </button>
          </p>
        </>
      ) : (
        <form onSubmit={withPassword}>
          <label htmlFor="username">Username</label>
          <input id="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoCapitalize="none" spellCheck={false} />
          <label htmlFor="password">Password</label>
          <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          <fieldset className="row">
            <legend className="small">Second factor</legend>
            <label className="row small">
              <input type="radio" name="second" checked={second === "totp"} onChange={() => setSecond("totp")} className="auto" /> Authenticator code
            </label>
            <label className="row small">
              <input type="radio" name="second" checked={second === "backup"} onChange={() => setSecond("backup")} className="auto" /> Backup code
            </label>
          </fieldset>
          <label htmlFor="code">{second === "totp" ? "6-digit code" : "Backup code"}</label>
          <input id="code" autoComplete="one-time-code" inputMode={second === "totp" ? "numeric" : "text"} value={code} onChange={(e) => setCode(e.target.value)} required />
          <p className="row">
            <button type="submit" className="primary" disabled={busy}>
              Sign in
            </button>
            <button type="button" className="link" onClick={() => setMode("passkey")}>
              Use a passkey
            </button>
          </p>
        </form>
      )}
    </section>
  );
}

export default function LoginPage() {
  return (
    <Suspense>
      <Login />
    </Suspense>
  );
}
