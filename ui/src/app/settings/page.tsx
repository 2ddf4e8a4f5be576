"use client";
import { useCallback, useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { messageOf } from "@/api/client";
import type { Passkey, Session } from "@/api/models";
import { auth } from "@/lib/auth";
import { fullTime, timeAgo } from "@/lib/format";
import { useRequireOwner, useSession } from "@/lib/session";
import { createPasskey, passkeyError, usePasskeySupport } from "@/lib/webauthn";
import { useStepUp } from "@/components/StepUp";
import { PasswordTotp } from "@/components/PasswordTotp";
import { BackupCodes, TotpQr } from "@/components/TotpQr";
import type { TotpEnrolment } from "@/api/models";

function describeUa(ua: string): string {
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}

export default function SettingsPage() {
  const ready = useRequireOwner();
  const { status, refresh } = useSession();
  const router = useRouter();
  const withStepUp = useStepUp();
  const [passkeys, setPasskeys] = useState<Passkey[]>([]);
  const [sessions, setSessions] = useState<Session[]>([]);
  const [events, setEvents] = useState<{ id: string; kind: string; created_at: string; ip?: string }[]>([]);
  const [remaining, setRemaining] = useState<number | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [pwOpen, setPwOpen] = useState(false);
  const supported = usePasskeySupport();
  const [totp, setTotp] = useState<TotpEnrolment | null>(null);
  const [totpCode, setTotpCode] = useState("");
  const [newName, setNewName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [p, s, b] = await Promise.all([auth.passkeys(), auth.sessions(), auth.backupCodes()]);
      setPasskeys(p.passkeys);
      setSessions(s.sessions);
      setRemaining(b.remaining);
      auth.events().then((r) => setEvents(r.events ?? [])).catch(() => setEvents([]));
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);
  useEffect(() => {
    if (ready) void load();
  }, [ready, load]);

  async function act(fn: () => Promise<unknown>, done?: string) {
    setError(null);
    setInfo(null);
    try {
      await withStepUp(fn);
      if (done) setInfo(done);
      await Promise.all([load(), refresh()]);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function addPasskey() {
    await act(async () => {
      const { publicKey } = await withStepUp(() => auth.passkeyOptions());
      let credential;
      try {
        credential = await createPasskey(publicKey);
      } catch (e) {
        throw new Error(passkeyError(e));
      }
      await auth.addPasskey(credential, newName.trim() || "Passkey");
      setNewName("");
    }, "Passkey added.");
  }

  if (!ready) return <p className="muted">Loading…</p>;
  const factors = status?.factors;
  return (
    <section aria-labelledby="settings-title" className="stack">
      <h1 id="settings-title">Settings</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {info && (
        <p role="status" className="ok">
          {info}
        </p>
      )}

      <section aria-labelledby="pk-title" className="card stack">
        <h2 id="pk-title">Passkeys</h2>
        <ul className="stack">
          {passkeys.map((p) => (
            <li key={p.id} className="row" data-testid="passkey">
              <strong>{p.name}</strong>
              <span className="small muted">
                added {timeAgo(p.created_at)} · last used {timeAgo(p.last_used_at)}
              </span>
              <button
                type="button"
                className="link"
                onClick={() => {
                  const name = prompt("New name for this passkey", p.name);
                  if (name && name.trim()) void act(() => auth.renamePasskey(p.id, name.trim()), "Passkey renamed.");
                }}
              >
                Rename
              </button>
              <button type="button" className="link danger" onClick={() => confirm(`Remove passkey “${p.name}”?`) && act(() => auth.removePasskey(p.id), "Passkey removed.")}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        {supported && (
          <div className="row">
            <label htmlFor="pk-name" className="visually-hidden">
              Name for the new passkey
            </label>
            <input id="pk-name" value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="Name (e.g. Phone)" maxLength={64} className="auto" />
            <button type="button" onClick={addPasskey}>
              Add a passkey
            </button>
          </div>
        )}
      </section>

      <section aria-labelledby="pw-title" className="card stack">
        <h2 id="pw-title">Password and authenticator app</h2>
        <p className="small muted">
          Password: {factors?.password ? "set" : "not set"} · Authenticator app: {factors?.totp ? "on" : "off"}
        </p>
        {!pwOpen ? (
          <p className="row">
            <button type="button" onClick={() => setPwOpen(true)}>
              {factors?.password ? "Change password" : "Set a password"}
            </button>
            {factors?.password && (
              <button type="button" onClick={() => act(async () => setTotp((await auth.totpEnroll()).totp))}>
                Reset authenticator app
              </button>
            )}
          </p>
        ) : (
          factors?.password ? (
            <ChangePassword
              onDone={(msg) => {
                setPwOpen(false);
                setInfo(msg);
                void load();
              }}
              run={withStepUp}
            />
          ) : (
            <PasswordTotp
              setPassword={async (pw) => {
                await withStepUp(() => auth.changePassword({ new_password: pw, end_other_sessions: false }));
                return null;
              }}
              enrollTotp={async () => (await withStepUp(() => auth.totpEnroll())).totp}
              confirmTotp={async (code) => {
                await withStepUp(() => auth.totpConfirm(code));
                return (await withStepUp(() => auth.regenerateBackupCodes())).backup_codes;
              }}
              onDone={() => {
                setPwOpen(false);
                void load();
                void refresh();
              }}
            />
          )
        )}
        {totp && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                await auth.totpConfirm(totpCode.trim());
                setTotp(null);
                setTotpCode("");
              }, "Authenticator app updated.");
            }}
          >
            <TotpQr totp={totp} />
            <label htmlFor="totp-new">Code from the app</label>
            <input id="totp-new" inputMode="numeric" autoComplete="one-time-code" value={totpCode} onChange={(e) => setTotpCode(e.target.value)} required />
            <p>
              <button type="submit" className="primary">
                Confirm
              </button>
            </p>
          </form>
        )}
      </section>

      <section aria-labelledby="bc-title" className="card stack">
        <h2 id="bc-title">Backup codes</h2>
        <p className="small muted">{remaining === null ? "" : `${remaining} unused backup codes left.`}</p>
        {codes ? (
          <>
            <BackupCodes codes={codes} />
            <button type="button" onClick={() => setCodes(null)}>
              Done
            </button>
          </>
        ) : (
          <p>
            <button type="button" onClick={() => confirm("Make new backup codes? The old ones stop working.") && act(async () => setCodes((await auth.regenerateBackupCodes()).backup_codes))}>
              Make new backup codes
            </button>
          </p>
        )}
      </section>

      <section aria-labelledby="ss-title" className="card stack">
        <h2 id="ss-title">Sessions</h2>
        <ul className="stack">
          {sessions.map((s) => (
            <li key={s.id} data-testid="session" data-current={s.current}>
              <div className="row">
                <strong>{describeUa(s.user_agent)}</strong>
                {s.current && <span className="badge">this device</span>}
                <span className="small muted">{s.ip}</span>
              </div>
              <p className="small muted">
                signed in {timeAgo(s.created_at)} with {s.auth_method.replace(/_/g, " ")} · last seen <span title={fullTime(s.last_used_at)}>{timeAgo(s.last_used_at)}</span>
              </p>
              <button
                type="button"
                className="danger"
                onClick={() =>
                  s.current
                    ? void auth.revokeSession(s.id).then(async () => {
                        await refresh();
                        router.replace("/login");
                      })
                    : void act(() => auth.revokeSession(s.id), "Session ended.")
                }
              >
                {s.current ? "Log out" : "End session"}
              </button>
            </li>
          ))}
        </ul>
        <p>
          <button type="button" onClick={() => act(async () => setInfo(`${(await auth.revokeOthers()).revoked} other session(s) ended.`))} disabled={sessions.length < 2}>
            Log out everywhere else
          </button>
        </p>
      </section>

      <section aria-labelledby="ev-title" className="card stack">
        <h2 id="ev-title">Security events</h2>
        {events.length === 0 && <p className="muted">None yet.</p>}
        <ul>
          {events.slice(0, 20).map((e) => (
            <li key={e.id} className="small">
              {e.kind.replace(/_/g, " ")} · <span title={fullTime(e.created_at)}>{timeAgo(e.created_at)}</span>
              {e.ip ? ` · ${e.ip}` : ""}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}

function ChangePassword({ onDone, run }: { onDone: (msg: string) => void; run: <T>(fn: () => Promise<T>) => Promise<T> }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [endOthers, setEndOthers] = useState(true);
  const [error, setError] = useState<string | null>(null);
  async function submit(ev: React.FormEvent) {
    ev.preventDefault();
    if (next !== again) {
      setError("The two new passwords differ.");
      return;
    }
    try {
      const r = await run(() => auth.changePassword({ current_password: current, new_password: next, end_other_sessions: endOthers }));
      onDone(`Password changed${r.revoked_sessions ? `; ${r.revoked_sessions} other session(s) ended` : ""}.`);
    } catch (e) {
      setError(messageOf(e));
    }
  }
  return (
    <form onSubmit={submit}>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <label htmlFor="cp-current">Current password</label>
      <input id="cp-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
      <label htmlFor="cp-new">New password (at least 15 characters)</label>
      <input id="cp-new" type="password" autoComplete="new-password" minLength={15} value={next} onChange={(e) => setNext(e.target.value)} required />
      <label htmlFor="cp-again">Repeat the new password</label>
      <input id="cp-again" type="password" autoComplete="new-password" minLength={15} value={again} onChange={(e) => setAgain(e.target.value)} required />
      <label className="row">
        <input type="checkbox" checked={endOthers} onChange={(e) => setEndOthers(e.target.checked)} /> Log out my other sessions
      </label>
      <p>
        <button type="submit" className="primary">
          Change password
        </button>
      </p>
    </form>
  );
}
