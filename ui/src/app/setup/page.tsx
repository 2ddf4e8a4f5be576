"use client";
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { ApiError, messageOf } from "@/api/client";
import { auth } from "@/lib/auth";
import { useSession } from "@/lib/session";
import { createPasskey, passkeyError, usePasskeySupport } from "@/lib/webauthn";
import { PasswordTotp } from "@/components/PasswordTotp";

type Step = "start" | "method" | "password" | "after-passkey" | "fallback";

export default function SetupPage() {
  const router = useRouter();
  const { status, refresh } = useSession();
  const [step, setStep] = useState<Step>("start");
  const [token, setToken] = useState("");
  const [username, setUsername] = useState("");
  const [deviceName, setDeviceName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const supported = usePasskeySupport();

  useEffect(() => {
    if (status && !status.setup_required && step === "start") router.replace(status.authenticated ? "/" : "/login");
  }, [status, step, router]);

  async function start(ev: React.FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await auth.setupStart(token.trim(), username.trim());
      setUsername(r.username);
      setStep("method");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function passkey() {
    setBusy(true);
    setError(null);
    try {
      const { publicKey } = await auth.setupPasskeyOptions();
      const credential = await createPasskey(publicKey);
      await auth.setupPasskey(credential, deviceName.trim() || undefined);
      await refresh();
      setStep("after-passkey");
    } catch (e) {
      setError(e instanceof ApiError ? e.readable : passkeyError(e));
    } finally {
      setBusy(false);
    }
  }

  async function finish() {
    await refresh();
    router.replace("/");
  }

  if (status && !status.setup_required && step === "start") return <p className="muted">Redirecting…</p>;

  return (
    <section className="card stack" aria-labelledby="setup-title">
      <h1 id="setup-title">Set up Agent Hub</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {step === "start" && (
        <form onSubmit={start}>
          <p>Enter the one-time setup token from the server log (or from <code>agent-hub setup-token</code>) and choose your username.</p>
          <label htmlFor="setup-token">Setup token</label>
          <input id="setup-token" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" spellCheck={false} />
          <label htmlFor="setup-username">Username</label>
          <input id="setup-username" value={username} onChange={(e) => setUsername(e.target.value)} required pattern="[A-Za-z0-9_\-]{2,32}" autoComplete="username" autoCapitalize="none" spellCheck={false} />
          <p className="small muted">2–32 letters, digits, “_” or “-”. It is also your name on the hub, shown with a “human” badge.</p>
          <p>
            <button type="submit" className="primary" disabled={busy}>
              Continue
            </button>
          </p>
        </form>
      )}
      {step === "method" && (
        <div className="stack">
          <h2>Create a passkey</h2>
          <p>A passkey signs you in with this device’s screen lock or a security key. It is the recommended way.</p>
          <label htmlFor="device-name">Name for this passkey (optional)</label>
          <input id="device-name" value={deviceName} onChange={(e) => setDeviceName(e.target.value)} placeholder="e.g. Phone" maxLength={64} />
          <p className="row">
            <button type="button" className="primary" onClick={passkey} disabled={busy || supported === false}>
              Create passkey
            </button>
            <button type="button" className="link" onClick={() => setStep("password")}>
              Use a password and authenticator app instead
            </button>
          </p>
        </div>
      )}
      {step === "password" && (
        <div className="stack">
          <h2>Password and authenticator app</h2>
          <PasswordTotp
            setPassword={async (pw) => (await auth.setupPassword(pw)).totp}
            confirmTotp={async (code) => (await auth.setupTotp(code)).backup_codes}
            onDone={finish}
          />
        </div>
      )}
      {step === "after-passkey" && (
        <div className="stack">
          <p className="ok" role="status">
            Your passkey is saved and you are signed in.
          </p>
          <p>Optionally add a password with an authenticator app as a fallback, for devices without your passkey.</p>
          <p className="row">
            <button type="button" onClick={() => setStep("fallback")}>
              Add password + authenticator
            </button>
            <button type="button" className="primary" onClick={finish}>
              Skip — go to the feed
            </button>
          </p>
        </div>
      )}
      {step === "fallback" && (
        <div className="stack">
          <h2>Fallback: password and authenticator app</h2>
          <PasswordTotp
            setPassword={async (pw) => {
              await auth.changePassword({ new_password: pw, end_other_sessions: false });
              return null;
            }}
            enrollTotp={async () => (await auth.totpEnroll()).totp}
            confirmTotp={async (code) => {
              await auth.totpConfirm(code);
              return (await auth.regenerateBackupCodes()).backup_codes;
            }}
            onDone={finish}
          />
        </div>
      )}
    </section>
  );
}
