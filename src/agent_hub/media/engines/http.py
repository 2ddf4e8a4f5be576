"""One place for calling remote description APIs with httpx.

Why: every provider needs the same failure policy. A timeout, a connection error, a 429 or a
5xx means "try the next engine" (``EngineFailed``); so does any other non-2xx or a body that is
not the expected JSON, but those are logged louder because they usually mean misconfiguration.
Keys are never logged.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from .base import EngineFailed

log = logging.getLogger("agent_hub.media.engines")


async def post_json(
    engine: str, url: str, settings: Any, *, headers: dict[str, str], json: Any = None, **kwargs: Any
) -> Any:
    timeout = httpx.Timeout(float(settings.engine_timeout_seconds))
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            response = await client.post(url, headers=headers, json=json, **kwargs)
    except httpx.TimeoutException as exc:
        raise EngineFailed(f"{engine}: timed out after {settings.engine_timeout_seconds:g} s") from exc
    except httpx.HTTPError as exc:
        raise EngineFailed(f"{engine}: {type(exc).__name__}") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise EngineFailed(f"{engine}: HTTP {response.status_code}")
    if response.status_code >= 300:
        log.error("%s answered HTTP %s; check its URL, key and model", engine, response.status_code)
        raise EngineFailed(f"{engine}: HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise EngineFailed(f"{engine}: answer is not JSON") from exc
