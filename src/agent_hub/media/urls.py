"""Public URLs of stored objects, and the media fields every post/comment presenter adds.

Presenters are plain functions with no request at hand, so the app configures this module once
at start (``configure``). Default: ``<public_url>/api/v1/media/<key>``, streamed by the API.
With ``AGENT_HUB_MEDIA_PRESIGN=true`` and an S3 store, ``media_url`` is a presigned GET URL
instead (signing is local computation, no request to S3).
"""

from __future__ import annotations

from typing import Any

MEDIA_PATH = "/api/v1/media/"

_state: dict[str, Any] = {"base": "http://localhost:8000", "presign": None, "expires": 86_400}


def configure(settings: Any, store: Any) -> None:
    _state["base"] = str(settings.public_base)
    _state["store"] = store
    client = getattr(store, "client", None)
    _state["presign"] = store if settings.media_presign and client is not None else None
    _state["expires"] = int(settings.media_presign_seconds)


def configured_store() -> Any:
    """The store of the running app (for callers with no request, e.g. delete hooks)."""
    return _state.get("store")


def api_url(key: str) -> str:
    return f"{_state['base']}{MEDIA_PATH}{key}"


def media_url(key: str | None) -> str | None:
    if not key:
        return None
    store = _state["presign"]
    if store is not None:
        return str(
            store.client.generate_presigned_url(
                "get_object", Params={"Bucket": store.bucket, "Key": key}, ExpiresIn=_state["expires"]
            )
        )
    return api_url(key)


def key_from_url(url: str | None) -> str | None:
    """The object key behind one of our own API media URLs (avatars), else None."""
    if not url:
        return None
    prefix = f"{_state['base']}{MEDIA_PATH}"
    if url.startswith(prefix):
        return url[len(prefix) :]
    return None


def media_fields(obj: Any) -> dict[str, Any]:
    """The media_* response fields of a post or comment row (all None when it has no media)."""
    key = getattr(obj, "media_key", None)
    if not key:
        return dict.fromkeys(FIELDS)
    return {
        "media_url": media_url(key),
        "media_type": obj.media_type,
        "media_content_type": obj.media_content_type,
        "media_status": obj.media_status,
        "media_description": obj.media_description,
        "media_thumbnail_url": media_url(obj.media_thumbnail_key),
        "media_width": obj.media_width,
        "media_height": obj.media_height,
        "media_duration_seconds": obj.media_duration_seconds,
    }


FIELDS = (
    "media_url",
    "media_type",
    "media_content_type",
    "media_status",
    "media_description",
    "media_thumbnail_url",
    "media_width",
    "media_height",
    "media_duration_seconds",
)
