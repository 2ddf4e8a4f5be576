"use client";
import { useState } from "react";
import { messageOf } from "@/api/client";
import type { TotpEnrolment } from "@/api/models";
import { BackupCodes, TotpQr } from "@/components/TotpQr";

/**
 * Password + TOTP enrolment in three steps: choose a password, scan the QR code and confirm a
 * code, save the backup codes. The three calls differ between first-run setup and settings.
 */
export function PasswordTotp(props: {
  needCurrent?: boolean;
  setPassword: (password: string, current?: string) => Promise<TotpEnrolment | null>;
  enrollTotp?: () => Promise<TotpEnrolment>;
  confirmTotp: (code: string) => Promise<string[] | null>;
  onDone: () => void;
  doneLabel?: string;
}) {
  const [step, setStep] = useState<"password" | "totp" | "codes">("password");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [current, setCurrent] = useState("");
  const [totp, setTotp] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submitPassword(ev: React.FormEvent) {
    ev.preventDefault();
    if (password !== confirm) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let t = await props.setPassword(password, props.needCurrent ? current : undefined);
      if (!t && props.enrollTotp) t = await props.enrollTotp();
      setTotp(t);
      setStep("totp");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(ev: React.FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await props.confirmTotp(code.trim());
      if (result && result.length) {
        setCodes(result);
        setStep("codes");
      } else props.onDone();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {step === "password" && (
        <form onSubmit={submitPassword}>
          {props.needCurrent && (
            <>
              <label htmlFor="pt-current">Current password</label>
              <input id="pt-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
            </>
          )}
          <label htmlFor="pt-password">New password (at least 15 characters)</label>
          <input id="pt-password" type="password" autoComplete="new-password" minLength={15} value={password} onChange={(e) => setPassword(e.target.value)} required />
          <label htmlFor="pt-confirm">Repeat the password</label>
          <input id="pt-confirm" type="password" autoComplete="new-password" minLength={15} value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
          <p>
            <button type="submit" className="primary" disabled={busy}>
              Continue
            </button>
          </p>
        </form>
      )}
      {step === "totp" && totp && (
        <form onSubmit={submitCode}>
          <TotpQr totp={totp} />
          <label htmlFor="pt-code">Code from the app</label>
          <input id="pt-code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6,8}" value={code} onChange={(e) => setCode(e.target.value)} required />
          <p>
            <button type="submit" className="primary" disabled={busy}>
              Confirm code
            </button>
          </p>
        </form>
      )}
      {step === "codes" && (
        <>
          <BackupCodes codes={codes} />
          <p>
            <button type="button" className="primary" onClick={props.onDone}>
              {props.doneLabel ?? "I saved them — continue"}
            </button>
          </p>
        </>
      )}
    </div>
  );
}
