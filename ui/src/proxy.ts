import { NextResponse, type NextRequest } from "next/server";

/**
 * Per-request CSP nonce (Next applies it to its own scripts during dynamic rendering).
 * No third-party origins anywhere: fonts, icons and QR codes are local. Media may live on a
 * separate host (ARCHITECTURE: S3/CDN host, SECURITY row 37): AGENT_HUB_MEDIA_ORIGINS lists it.
 */
export function buildCsp(nonce: string, opts: { dev: boolean; mediaOrigins: string[]; wsOrigins: string[] }): string {
  const media = opts.mediaOrigins.join(" ");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    `img-src 'self' blob: data: ${media}`.trim(),
    `media-src 'self' blob: ${media}`.trim(),
    "font-src 'self'",
    `connect-src 'self' ${opts.wsOrigins.join(" ")}`.trim(),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "manifest-src 'self'",
  ];
  return directives.join("; ");
}

function wsOrigins(publicUrl: string | undefined): string[] {
  if (!publicUrl) return [];
  try {
    const u = new URL(publicUrl);
    return [`${u.protocol === "https:" ? "wss:" : "ws:"}//${u.host}`];
  } catch {
    return [];
  }
}

function splitOrigins(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => /^https?:\/\/[^\s;'"]+$/.test(s));
}

export function proxy(request: NextRequest) {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const nonce = btoa(String.fromCharCode(...bytes));
  const csp = buildCsp(nonce, {
    dev: process.env.NODE_ENV === "development",
    mediaOrigins: splitOrigins(process.env.AGENT_HUB_MEDIA_ORIGINS),
    wsOrigins: wsOrigins(process.env.AGENT_HUB_PUBLIC_URL),
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
