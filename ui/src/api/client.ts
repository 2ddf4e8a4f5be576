/**
 * A small typed fetch wrapper for the Agent Hub API (same origin; the owner's session cookie
 * rides along). Unsafe methods carry the CSRF header the auth API requires (docs/auth-api.md).
 * Errors in the Moltbook envelope ({success:false, error, hint, code}) become ApiError with a
 * readable message.
 */

export const API = "/api/v1";
/** CSRF (docs/auth-api.md §0): every unsafe cookie-authenticated request carries this
 * non-simple header; the server also checks Origin / Sec-Fetch-Site (SECURITY row 26). */
export const CSRF_HEADER = "X-Requested-With";
export const CSRF_VALUE = "agent-hub";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | null;
  readonly retryAfterSeconds: number | null;
  readonly body: Record<string, unknown> | null;

  constructor(status: number, message: string, opts: { code?: string; hint?: string | null; retryAfterSeconds?: number | null; body?: Record<string, unknown> | null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = opts.code ?? "ERROR";
    this.hint = opts.hint ?? null;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? null;
    this.body = opts.body ?? null;
  }

  /** A sentence for the user: the server's error, its hint (unless it is advice for an API
   * client, such as "list submolts with GET /api/v1/submolts"), and how long to wait if limited. */
  get readable(): string {
    const parts = [this.message];
    if (this.hint && !API_ADVICE.test(this.hint)) parts.push(this.hint);
    if (this.retryAfterSeconds && this.retryAfterSeconds > 0) parts.push(`Try again in ${formatWait(this.retryAfterSeconds)}.`);
    return parts.join(" — ");
  }

  get isStepUp(): boolean {
    return this.status === 401 && this.code === "step_up_required";
  }
}

const API_ADVICE = /\b(GET|POST|PUT|PATCH|DELETE)\s+\/|\/api\/v1|\b(header|query parameter|JSON body|Bearer)\b/i;

export function formatWait(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.ceil(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? "" : "s"}`;
  const h = Math.ceil(m / 60);
  return `${h} hour${h === 1 ? "" : "s"}`;
}

export function csrfHeaders(): Record<string, string> {
  return { [CSRF_HEADER]: CSRF_VALUE };
}

/** Any thrown value as a sentence for the user. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.readable;
  if (e instanceof Error) return e.message;
  return String(e);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: Query): string {
  const base = path.startsWith("/api/") || path.startsWith("/auth/") ? path : `${API}${path}`;
  if (!query) return base;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${base}?${qs}` : base;
}

export async function errorFromResponse(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> | null = null;
  try {
    const text = await res.text();
    body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    body = null;
  }
  return errorFromBody(res.status, body, res.headers.get("Retry-After"));
}

export function errorFromBody(status: number, body: Record<string, unknown> | null, retryAfterHeader?: string | null): ApiError {
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v : null);
  const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v.trim() && !Number.isNaN(Number(v)) ? Number(v) : null);
  const message =
    str(body?.error) ?? str(body?.message) ?? str(body?.detail) ?? defaultMessage(status);
  let retry = num(body?.retry_after_seconds) ?? num(body?.retryAfter) ?? num(retryAfterHeader ?? null);
  const minutes = num(body?.retry_after_minutes);
  if (retry === null && minutes !== null) retry = minutes * 60;
  return new ApiError(status, message, {
    code: str(body?.code) ?? undefined,
    hint: str(body?.hint),
    retryAfterSeconds: retry,
    body,
  });
}

function defaultMessage(status: number): string {
  if (status === 0) return "Agent Hub could not be reached. Check your connection and try again.";
  if (status === 401) return "You are signed out. Sign in again to continue.";
  if (status === 403) return "You are not allowed to do that.";
  if (status === 404) return "This no longer exists, or the link is wrong.";
  if (status === 413) return "That file is too large.";
  if (status === 429) return "Too many requests at once.";
  if (status >= 500) return "Something went wrong on the server. Try again in a moment.";
  return `That did not work (error ${status}).`;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") Object.assign(headers, csrfHeaders());
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, defaultMessage(0));
  }
  if (!res.ok) throw await errorFromResponse(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = (text ? JSON.parse(text) : {}) as T & { success?: boolean };
  if (data && typeof data === "object" && data.success === false) {
    throw errorFromBody(res.status, data as unknown as Record<string, unknown>);
  }
  return data;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: "POST", body: body ?? {} }),
  patch: <T>(path: string, body?: unknown) => request<T>(path, { method: "PATCH", body: body ?? {} }),
  put: <T>(path: string, body?: unknown) => request<T>(path, { method: "PUT", body: body ?? {} }),
  del: <T>(path: string, body?: unknown) => request<T>(path, { method: "DELETE", body }),
};

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** Multipart upload with progress events (fetch has no upload progress). */
export function upload<T>(path: string, form: FormData, onProgress?: (p: UploadProgress) => void, method: "POST" | "PUT" = "POST"): { promise: Promise<T>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open(method, buildUrl(path));
    xhr.withCredentials = false; // same origin: cookies are sent anyway
    xhr.setRequestHeader("Accept", "application/json");
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (onProgress && e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    };
    xhr.onerror = () => reject(new ApiError(0, defaultMessage(0)));
    xhr.onabort = () => reject(new ApiError(0, "Upload cancelled"));
    xhr.onload = () => {
      let body: Record<string, unknown> | null = null;
      try {
        body = xhr.responseText ? (JSON.parse(xhr.responseText) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body?.success !== false) resolve(body as T);
      else reject(errorFromBody(xhr.status, body, xhr.getResponseHeader("Retry-After")));
    };
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
