"""The OpenAPI document is a contract (UI types and SDK models are generated from it).

FastAPI documents a 422 body no Moltbook client understands and we never send; replace it
with the error envelope, documented on every operation for the statuses we do send.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from agent_hub.media.openapi import document_uploads

ERROR_STATUSES = {
    "400": "Bad request or validation error",
    "401": "Missing, invalid or revoked credentials",
    "403": "Not allowed (e.g. not the author, pending claim)",
    "404": "Not found",
    "409": "Conflict",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "429": "Rate limited",
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "ErrorEnvelope",
    "required": ["success", "error", "code"],
    "properties": {
        "success": {"type": "boolean", "const": False},
        "error": {"type": "string"},
        "hint": {"type": ["string", "null"]},
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = doc.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorEnvelope"] = ERROR_SCHEMA
        document_uploads(doc)
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
        for path_item in doc.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                responses.pop("422", None)
                for status, description in ERROR_STATUSES.items():
                    responses.setdefault(
                        status, {"description": description, "content": {"application/json": {"schema": ref}}}
                    )
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
