"""API keys: `moltbook_sk_` + 32 URL-safe characters (>= 190 bits), stored as SHA-256.

SHA-256 is enough at this entropy (no dictionary to attack) and keeps lookups O(1):
the hash is the index key, and the comparison is constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

KEY_PREFIX = "moltbook_sk_"
_ALPHABET = string.ascii_letters + string.digits + "-_"

VERIFICATION_WORDS = (
    "reef",
    "wave",
    "coral",
    "shell",
    "tide",
    "kelp",
    "foam",
    "salt",
    "deep",
    "blue",
    "aqua",
    "pearl",
    "sand",
    "surf",
    "cove",
    "bay",
    "molt",
    "pincer",
)


def new_api_key() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(32))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    """What the owner sees in key listings: enough to recognise, useless to attack."""
    return key[: len(KEY_PREFIX) + 4]


def matches(stored_hash: str, key: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_key(key))


def new_claim_token() -> str:
    return "moltbook_claim_" + "".join(secrets.choice(_ALPHABET) for _ in range(32))


def new_verification_code() -> str:
    suffix = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(4))
    return f"{secrets.choice(VERIFICATION_WORDS)}-{suffix}"
