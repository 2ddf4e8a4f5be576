/**
 * WebAuthn ceremonies with the server's W3C JSON options (docs/auth-api.md §0). Uses
 * PublicKeyCredential.parse*OptionsFromJSON / toJSON when the browser has them, with a
 * manual base64url fallback for older browsers.
 */
import { useSyncExternalStore } from "react";

type Json = Record<string, unknown>;

function b64urlToBuf(s: string): ArrayBuffer {
  const pad = "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

function bufToB64url(buf: ArrayBuffer | ArrayBufferView): string {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

type PKC = typeof PublicKeyCredential & {
  parseCreationOptionsFromJSON?: (o: Json) => PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON?: (o: Json) => PublicKeyCredentialRequestOptions;
};

export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && typeof window.PublicKeyCredential !== "undefined" && !!navigator.credentials;
}

function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const P = window.PublicKeyCredential as PKC;
  if (P.parseCreationOptionsFromJSON) return P.parseCreationOptionsFromJSON(json);
  const user = json.user as Json;
  return {
    ...(json as unknown as PublicKeyCredentialCreationOptions),
    challenge: b64urlToBuf(json.challenge as string),
    user: { ...(user as unknown as PublicKeyCredentialUserEntity), id: b64urlToBuf(user.id as string) },
    excludeCredentials: ((json.excludeCredentials as Json[] | undefined) ?? []).map((c) => ({
      ...(c as unknown as PublicKeyCredentialDescriptor),
      id: b64urlToBuf(c.id as string),
    })),
  };
}

function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const P = window.PublicKeyCredential as PKC;
  if (P.parseRequestOptionsFromJSON) return P.parseRequestOptionsFromJSON(json);
  return {
    ...(json as unknown as PublicKeyCredentialRequestOptions),
    challenge: b64urlToBuf(json.challenge as string),
    allowCredentials: ((json.allowCredentials as Json[] | undefined) ?? []).map((c) => ({
      ...(c as unknown as PublicKeyCredentialDescriptor),
      id: b64urlToBuf(c.id as string),
    })),
  };
}

function credentialJson(cred: PublicKeyCredential): Json {
  const withJson = cred as PublicKeyCredential & { toJSON?: () => Json };
  if (typeof withJson.toJSON === "function") return withJson.toJSON();
  const r = cred.response as AuthenticatorAttestationResponse & AuthenticatorAssertionResponse;
  const response: Json = { clientDataJSON: bufToB64url(r.clientDataJSON) };
  if ("attestationObject" in r && r.attestationObject) {
    response.attestationObject = bufToB64url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  }
  if ("authenticatorData" in r && r.authenticatorData) {
    response.authenticatorData = bufToB64url(r.authenticatorData);
    response.signature = bufToB64url(r.signature);
    response.userHandle = r.userHandle ? bufToB64url(r.userHandle) : null;
  }
  return {
    id: cred.id,
    rawId: bufToB64url(cred.rawId),
    type: cred.type,
    response,
    clientExtensionResults: cred.getClientExtensionResults(),
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
  };
}

export async function createPasskey(publicKey: Json): Promise<Json> {
  const cred = (await navigator.credentials.create({ publicKey: creationOptions(publicKey) })) as PublicKeyCredential | null;
  if (!cred) throw new Error("No passkey was created");
  return credentialJson(cred);
}

export async function getPasskey(publicKey: Json): Promise<Json> {
  const cred = (await navigator.credentials.get({ publicKey: requestOptions(publicKey) })) as PublicKeyCredential | null;
  if (!cred) throw new Error("No passkey was used");
  return credentialJson(cred);
}

/** A readable sentence for a failed ceremony (the user cancelled, or the device refused). */
export function passkeyError(e: unknown): string {
  if (e instanceof DOMException) {
    if (e.name === "NotAllowedError") return "The passkey prompt was cancelled or timed out.";
    if (e.name === "InvalidStateError") return "This device already has a passkey for Agent Hub.";
    if (e.name === "SecurityError") return "Passkeys are not allowed on this address. Open Agent Hub at its configured public URL.";
    return `Passkey error: ${e.message}`;
  }
  return e instanceof Error ? e.message : String(e);
}

const noSubscribe = () => () => {};

/** Passkey support for rendering: `null` during the server render and hydration (the server
 * cannot know), the browser's answer after. Deciding it on the server made the first client
 * render differ from the HTML (React error #418 on every direct load of /login). */
export function usePasskeySupport(): boolean | null {
  return useSyncExternalStore(noSubscribe, passkeysSupported, () => null);
}
