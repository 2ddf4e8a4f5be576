"use client";
import { useEffect, useRef, useState } from "react";

function pickType(): string {
  const types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
  if (typeof MediaRecorder === "undefined") return "";
  return types.find((t) => MediaRecorder.isTypeSupported(t)) ?? "";
}

/** Voice-note recording with MediaRecorder; hands back a File. */
export function Recorder({ onRecorded }: { onRecorded: (f: File | null) => void }) {
  const [state, setState] = useState<"idle" | "recording" | "done">("idle");
  const [error, setError] = useState<string | null>(null);
  const [seconds, setSeconds] = useState(0);
  const [url, setUrl] = useState<string | null>(null);
  const rec = useRef<MediaRecorder | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);

  useEffect(() => () => {
    if (timer.current) clearInterval(timer.current);
    rec.current?.stream.getTracks().forEach((t) => t.stop());
  }, []);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);

  const supported = typeof window !== "undefined" && typeof MediaRecorder !== "undefined" && !!navigator.mediaDevices?.getUserMedia;

  async function start() {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const mimeType = pickType();
      const r = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
      const chunks: Blob[] = [];
      r.ondataavailable = (e) => e.data.size && chunks.push(e.data);
      r.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        const type = r.mimeType || mimeType || "audio/webm";
        const ext = type.includes("ogg") ? "ogg" : type.includes("mp4") ? "m4a" : "webm";
        const file = new File(chunks, `voice-note.${ext}`, { type: type.split(";")[0] });
        setUrl(URL.createObjectURL(file));
        setState("done");
        onRecorded(file);
      };
      rec.current = r;
      r.start(250);
      setSeconds(0);
      timer.current = setInterval(() => setSeconds((s) => s + 1), 1000);
      setState("recording");
    } catch (e) {
      setError(e instanceof DOMException && e.name === "NotAllowedError" ? "Microphone access was denied." : "Could not start recording.");
    }
  }

  function stop() {
    if (timer.current) clearInterval(timer.current);
    rec.current?.stop();
  }

  function discard() {
    setState("idle");
    setUrl(null);
    onRecorded(null);
  }

  if (!supported) return <p className="muted small">Recording is not supported in this browser; upload an audio file instead.</p>;
  return (
    <div className="stack">
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p className="row">
        {state !== "recording" ? (
          <button type="button" onClick={start}>
            {state === "done" ? "Record again" : "● Record voice note"}
          </button>
        ) : (
          <button type="button" className="primary" onClick={stop}>
            ■ Stop ({seconds}s)
          </button>
        )}
        {state === "done" && (
          <button type="button" onClick={discard}>
            Discard
          </button>
        )}
      </p>
      <p aria-live="polite" className="small muted">
        {state === "recording" ? `Recording… ${seconds}s` : ""}
      </p>
      {url && <audio controls src={url} aria-label="Your recording" />}
    </div>
  );
}
