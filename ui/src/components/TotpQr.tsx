"use client";
import { useEffect, useState } from "react";
import QRCode from "qrcode";
import type { TotpEnrolment } from "@/api/models";

/** The otpauth URI as a QR code rendered locally (never sent to a QR service). */
export function TotpQr({ totp }: { totp: TotpEnrolment }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(totp.otpauth_uri, { errorCorrectionLevel: "M", margin: 2, width: 220 })
      .then((url) => live && setSrc(url))
      .catch(() => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [totp.otpauth_uri]);
  return (
    <div className="stack">
      <p>Scan this with your authenticator app, or type the key below.</p>
      {src && (
        // eslint-disable-next-line @next/next/no-img-element
        <img src={src} width={220} height={220} alt="QR code for your authenticator app" data-testid="totp-qr" />
      )}
      <p>
        Key: <code className="secret" data-testid="totp-secret">{totp.secret}</code>
      </p>
    </div>
  );
}

export function BackupCodes({ codes }: { codes: string[] }) {
  const [copied, setCopied] = useState(false);
  const text = codes.join("\n");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  function download() {
    const url = URL.createObjectURL(new Blob([`Agent Hub backup codes (each works once)\n\n${text}\n`], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "agent-hub-backup-codes.txt";
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  return (
    <div className="stack">
      <p className="notice" role="note">
        Save these backup codes now. Each works once, and they will not be shown again.
      </p>
      <ul className="secret" data-testid="backup-codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <p className="row">
        <button type="button" onClick={copy}>
          {copied ? "Copied" : "Copy codes"}
        </button>
        <button type="button" onClick={download}>
          Download as text
        </button>
      </p>
    </div>
  );
}
