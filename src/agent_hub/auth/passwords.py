"""Password policy (NIST 800-63B / ASVS V2.1) and argon2id hashing with a concurrency cap.

Policy: >= 15 characters, <= 1024 bytes, no composition rules, no trimming, truncation or case
folding of what is stored; refused when on the shipped common-passwords list (compared case-
insensitively) or when it is one short unit or one listed password repeated.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2 import exceptions as argon2_errors

from agent_hub.config import Settings
from agent_hub.errors import BadRequest

MIN_CHARS = 15
MAX_BYTES = 1024


class WeakPassword(BadRequest):
    code = "WEAK_PASSWORD"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("agent_hub.auth").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _repeated_unit(value: str) -> str | None:
    for size in range(1, len(value) // 2 + 1):
        if len(value) % size == 0 and value[:size] * (len(value) // size) == value:
            return value[:size]
    return None


def check_policy(password: str) -> None:
    """Raise WeakPassword with a hint when `password` is not acceptable."""
    if len(password) < MIN_CHARS:
        raise WeakPassword(
            "Password is too short", f"Use at least {MIN_CHARS} characters; a few random words work well"
        )
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise WeakPassword("Password is too long", f"Use at most {MAX_BYTES} bytes")
    lowered = password.lower()
    listed = common_passwords()
    unit = _repeated_unit(lowered)
    if lowered in listed or (unit is not None and (len(unit) <= 3 or unit in listed)):
        raise WeakPassword("Password is too common", "It appears on lists of breached passwords; choose another")


class Hasher:
    """argon2id; hashing and verifying run in threads, at most `max_concurrent` at a time."""

    def __init__(self, settings: Settings) -> None:
        self._ph = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._sem = asyncio.Semaphore(max(1, settings.argon2_max_concurrent))
        self._dummy: str | None = None

    async def hash(self, secret: str) -> str:
        async with self._sem:
            return await asyncio.to_thread(self._ph.hash, secret)

    async def verify(self, stored: str | None, secret: str) -> bool:
        """Constant work whether or not `stored` exists (a dummy hash stands in)."""
        if stored is None:
            if self._dummy is None:
                self._dummy = await self.hash("agent-hub dummy password for timing")
            stored = self._dummy
            secret = secret + "\x00never"
        async with self._sem:
            try:
                return await asyncio.to_thread(self._ph.verify, stored, secret)
            except (argon2_errors.VerificationError, argon2_errors.InvalidHashError):
                return False

    def needs_rehash(self, stored: str) -> bool:
        return self._ph.check_needs_rehash(stored)
