"""WebAuthn ceremonies (py_webauthn): discoverable credentials, user verification required,
RP ID and origin from AGENT_HUB_PUBLIC_URL (never the Host header), single-use challenges
held in the state store under a key bound to the pre-auth cookie or the session."""

from __future__ import annotations

import json
import logging
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from agent_hub.auth.models import Passkey
from agent_hub.auth.runtime import AuthRuntime
from agent_hub.errors import BadRequest

log = logging.getLogger("agent_hub.auth")
CHALLENGE_TTL = 300.0
TIMEOUT_MS = 120_000


class PasskeyFailed(BadRequest):
    code = "PASSKEY_FAILED"


def failed(reason: str) -> PasskeyFailed:
    log.info("passkey ceremony failed", extra={"reason": reason[:200]})
    return PasskeyFailed("Passkey verification failed", "Start again: request a new challenge")


def _descriptors(keys: list[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(k.credential_id)) for k in keys]


async def registration_options(
    rt: AuthRuntime, state_key: str, *, user_id: str, username: str, existing: list[Passkey]
) -> dict[str, Any]:
    opts = generate_registration_options(
        rp_id=rt.rp_id,
        rp_name="Agent Hub",
        user_name=username,
        user_display_name=username,
        user_id=base64url_to_bytes(user_id),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(existing),
    )
    await rt.store.put(state_key, {"challenge": bytes_to_base64url(opts.challenge), "user_id": user_id}, CHALLENGE_TTL)
    return json.loads(options_to_json(opts))  # type: ignore[no-any-return]


async def verify_registration(rt: AuthRuntime, state_key: str, credential: dict[str, Any]) -> dict[str, Any]:
    state = await rt.store.pop(state_key)  # single use, before verifying
    if state is None:
        raise failed("no pending registration challenge")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=rt.rp_id,
            expected_origin=rt.origin,
            require_user_verification=True,
        )
    except Exception as exc:  # py_webauthn raises several types; all mean "no"
        raise failed(f"registration: {type(exc).__name__}: {exc}") from None
    transports = credential.get("response", {}).get("transports") if isinstance(credential, dict) else None
    return {
        "credential_id": bytes_to_base64url(verified.credential_id),
        "public_key": bytes_to_base64url(verified.credential_public_key),
        "sign_count": verified.sign_count,
        "backed_up": bool(verified.credential_backed_up),
        "transports": [str(t) for t in transports][:8] if isinstance(transports, list) else None,
        "user_id": state["user_id"],
    }


async def authentication_options(rt: AuthRuntime, state_key: str, allow: list[Passkey] | None = None) -> dict[str, Any]:
    opts = generate_authentication_options(
        rp_id=rt.rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(allow or []),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    await rt.store.put(state_key, {"challenge": bytes_to_base64url(opts.challenge)}, CHALLENGE_TTL)
    return json.loads(options_to_json(opts))  # type: ignore[no-any-return]


def credential_id_of(credential: dict[str, Any]) -> str:
    try:
        return bytes_to_base64url(base64url_to_bytes(str(credential.get("rawId") or credential["id"])))
    except Exception:
        raise failed("malformed credential id") from None


def user_handle_of(credential: dict[str, Any]) -> str | None:
    handle = (credential.get("response") or {}).get("userHandle")
    if not handle:
        return None
    try:
        return bytes_to_base64url(base64url_to_bytes(str(handle)))
    except Exception:
        raise failed("malformed user handle") from None


async def pop_challenge(rt: AuthRuntime, state_key: str) -> bytes:
    state = await rt.store.pop(state_key)  # single use: taken before verification
    if state is None:
        raise failed("no pending challenge (expired, reused or never issued)")
    return base64url_to_bytes(state["challenge"])


def verify_assertion(rt: AuthRuntime, challenge: bytes, credential: dict[str, Any], passkey: Passkey) -> int:
    """Verify signature, origin, RP ID, UV and the sign counter; return the new counter."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rt.rp_id,
            expected_origin=rt.origin,
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except Exception as exc:
        raise failed(f"assertion: {type(exc).__name__}: {exc}") from None
    return int(verified.new_sign_count)
