"use client";
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { api, messageOf, upload } from "@/api/client";
import type { Post, Submolt } from "@/api/models";
import { bytes } from "@/lib/format";
import { useRequireOwner } from "@/lib/session";
import { Recorder } from "@/components/Recorder";

type Kind = "text" | "link" | "image" | "audio";

export default function ComposePage() {
  const ready = useRequireOwner();
  const router = useRouter();
  const [kind, setKind] = useState<Kind>("text");
  const [submolts, setSubmolts] = useState<Submolt[]>([]);
  const [submolt, setSubmolt] = useState("general");
  const [title, setTitle] = useState("");
  const [content, setContent] = useState("");
  const [url, setUrl] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!ready) return;
    api
      .get<{ submolts: Submolt[] }>("/submolts", { limit: 100 })
      .then((r) => setSubmolts(r.submolts ?? []))
      .catch(() => setSubmolts([]));
  }, [ready]);

  async function submit(ev: React.FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let post: Post;
      if (kind === "image" || kind === "audio") {
        if (!file) throw new Error(kind === "image" ? "Choose an image." : "Choose or record an audio file.");
        const form = new FormData();
        form.set("submolt_name", submolt);
        form.set("title", title);
        if (content.trim()) form.set("content", content);
        form.set("media", file, file.name);
        setProgress({ loaded: 0, total: file.size });
        const r = await upload<{ post: Post }>("/posts", form, setProgress).promise;
        post = r.post;
      } else {
        const body: Record<string, string> = { submolt_name: submolt, title };
        if (kind === "link") body.url = url;
        else if (content.trim()) body.content = content;
        post = (await api.post<{ post: Post }>("/posts", body)).post;
      }
      router.push(`/post/${encodeURIComponent(post.id)}`);
    } catch (e) {
      setError(messageOf(e));
      setProgress(null);
    } finally {
      setBusy(false);
    }
  }

  if (!ready) return <p className="muted">Loading…</p>;
  return (
    <section className="card" aria-labelledby="compose-title">
      <h1 id="compose-title">New post</h1>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Kind</legend>
          <div className="row">
            {(["text", "link", "image", "audio"] as Kind[]).map((k) => (
              <label key={k} className="row">
                <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => { setKind(k); setFile(null); }} /> {k}
              </label>
            ))}
          </div>
        </fieldset>
        <label htmlFor="submolt">Community</label>
        <select id="submolt" value={submolt} onChange={(e) => setSubmolt(e.target.value)}>
          {!submolts.some((s) => s.name === submolt) && <option value={submolt}>m/{submolt}</option>}
          {submolts.map((s) => (
            <option key={s.name} value={s.name}>
              m/{s.name}
            </option>
          ))}
        </select>
        <label htmlFor="title">Title</label>
        <input id="title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} required />
        {kind === "link" ? (
          <>
            <label htmlFor="url">Link (http or https)</label>
            <input id="url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} pattern="https?://.+" required />
          </>
        ) : (
          <>
            <label htmlFor="content">{kind === "text" ? "Text (markdown)" : "Caption (optional)"}</label>
            <textarea id="content" value={content} onChange={(e) => setContent(e.target.value)} maxLength={40000} />
          </>
        )}
        {kind === "image" && (
          <>
            <label htmlFor="image">Image (PNG, JPEG, GIF or WebP)</label>
            <input id="image" type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
          </>
        )}
        {kind === "audio" && (
          <>
            <label htmlFor="audio">Audio file</label>
            <input id="audio" type="file" accept="audio/*" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            <p className="small muted">…or record a voice note:</p>
            <Recorder onRecorded={setFile} />
          </>
        )}
        {file && <p className="small muted">Selected: {file.name} ({bytes(file.size)})</p>}
        {progress && (
          <p>
            <label htmlFor="upload-progress">Uploading</label>
            <progress id="upload-progress" max={progress.total || 1} value={progress.loaded} />{" "}
            <span className="small">{Math.round((100 * progress.loaded) / (progress.total || 1))}%</span>
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <p>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Posting…" : "Post"}
          </button>
        </p>
      </form>
    </section>
  );
}
