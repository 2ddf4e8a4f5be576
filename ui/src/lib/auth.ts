/** Owner auth endpoints (docs/auth-api.md). Request bodies are checked at compile time against
 * the server's request models from the generated OpenAPI types (`npm run gen:api`). */
import { api } from "@/api/client";
import type { components } from "@/api/schema";
import type { AuthStatus, Owner, Passkey, Session, TotpEnrolment } from "@/api/models";

type Json = Record<string, unknown>;
type S = components["schemas"];
type Second = { totp_code: string } | { backup_code: string };
type PK = { success: boolean; publicKey: Json };
type LoggedIn = { success: boolean; owner: Owner; session: Session };

export const auth = {
  status: () => api.get<AuthStatus>("/auth/status"),
  setupStart: (setup_token: string, username: string) => api.post<{ username: string; methods: string[] }>("/auth/setup/start", { setup_token, username } satisfies S["SetupStart"]),
  setupPasskeyOptions: () => api.post<PK>("/auth/setup/passkey/options"),
  setupPasskey: (credential: Json, name?: string) => api.post<LoggedIn>("/auth/setup/passkey", (name ? { credential, name } : { credential }) satisfies S["CredentialIn"]),
  setupPassword: (password: string) => api.post<{ totp: TotpEnrolment }>("/auth/setup/password", { password } satisfies S["PasswordIn"]),
  setupTotp: (code: string) => api.post<LoggedIn & { backup_codes: string[] }>("/auth/setup/totp", { code } satisfies S["CodeIn"]),
  passkeyChallenge: () => api.post<PK>("/auth/login/passkey/challenge"),
  passkeyLogin: (credential: Json) => api.post<LoggedIn>("/auth/login/passkey", { credential } satisfies S["AssertionIn"]),
  passwordLogin: (username: string, password: string, second: Second) =>
    api.post<LoggedIn>("/auth/login/password", { username, password, ...second } satisfies S["PasswordLogin"]),
  logout: () => api.post<{ success: boolean }>("/auth/logout"),
  stepUpPasskeyChallenge: () => api.post<PK>("/auth/step-up/passkey/challenge"),
  stepUpPasskey: (credential: Json) => api.post<{ session: Session }>("/auth/step-up/passkey", { credential } satisfies S["AssertionIn"]),
  stepUpPassword: (password: string, second: Second) =>
    api.post<{ session: Session }>("/auth/step-up/password", { password, ...second } satisfies S["PasswordStepUp"]),
  sessions: () => api.get<{ sessions: Session[] }>("/auth/sessions"),
  revokeSession: (id: string) => api.del<{ success: boolean }>(`/auth/sessions/${encodeURIComponent(id)}`),
  revokeOthers: () => api.post<{ revoked: number }>("/auth/sessions/revoke-others"),
  passkeys: () => api.get<{ passkeys: Passkey[] }>("/auth/passkeys"),
  passkeyOptions: () => api.post<PK>("/auth/passkeys/options"),
  addPasskey: (credential: Json, name: string) => api.post<{ passkey: Passkey }>("/auth/passkeys", { credential, name } satisfies S["CredentialIn"]),
  renamePasskey: (id: string, name: string) => api.patch<{ passkey: Passkey }>(`/auth/passkeys/${encodeURIComponent(id)}`, { name } satisfies S["Rename"]),
  removePasskey: (id: string) => api.del<{ success: boolean }>(`/auth/passkeys/${encodeURIComponent(id)}`),
  changePassword: (body: S["PasswordChange"]) =>
    api.post<{ revoked_sessions: number }>("/auth/password", body),
  totpEnroll: () => api.post<{ totp: TotpEnrolment }>("/auth/totp/enroll"),
  totpConfirm: (code: string) => api.post<{ success: boolean }>("/auth/totp/confirm", { code } satisfies S["CodeIn"]),
  backupCodes: () => api.get<{ remaining: number }>("/auth/backup-codes"),
  regenerateBackupCodes: () => api.post<{ backup_codes: string[] }>("/auth/backup-codes"),
  events: () => api.get<{ events: { id: string; kind: string; created_at: string; ip?: string; user_agent?: string; detail?: Json }[] }>("/auth/events", { limit: 50 }),
};
