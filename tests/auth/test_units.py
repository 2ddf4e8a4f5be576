"""Unit-level checks: password policy, TOTP single use, seed encryption key file, backup codes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pyotp
import pytest

from agent_hub.auth.crypto import Sealer, SecretKeyMissing, load_key
from agent_hub.auth.passwords import Hasher, WeakPassword, check_policy, common_passwords
from agent_hub.auth.totp import matching_step
from agent_hub.config import Settings
from tests.auth.support import FAST


def test_policy_accepts_long_passphrases_without_composition_rules() -> None:
    check_policy("all lowercase words here ok")
    check_policy("x" * 13 + "yz")  # 15 chars, no classes required
    check_policy("ünïcödé pässwörd ✓✓")
    check_policy("a" * 10 + "b" * 10 + "c" * 1000)  # 1020 bytes: allowed


@pytest.mark.parametrize(
    "bad",
    [
        "short",
        "fourteen chars",
        "password123456789",
        "PasswordPassword",
        "123456789012345",
        "qwertyuiopasdfgh",
        "abababababababab",
        "é" * 513,
    ],
)
def test_policy_refuses(bad: str) -> None:
    with pytest.raises(WeakPassword):
        check_policy(bad)


def test_common_list_is_shipped_and_large_enough() -> None:
    listed = common_passwords()
    assert len(listed) >= 3000 and "123456" in listed and "password" in listed


async def test_no_truncation_or_case_folding_and_64_chars_round_trip() -> None:
    hasher = Hasher(Settings(**FAST))
    long_pw = "L" * 64
    stored = await hasher.hash(long_pw)
    assert stored.startswith("$argon2id$") and await hasher.verify(stored, long_pw)
    assert not await hasher.verify(stored, "l" * 64)  # no case folding
    big = "p" * 200 + "A"
    stored = await hasher.hash(big)
    assert not await hasher.verify(stored, "p" * 200 + "B")  # no truncation (bcrypt would stop at 72)
    assert not await hasher.verify(stored, " " + big)  # no trimming
    assert not await hasher.verify(None, big)  # dummy verify for unknown users


def test_pyotp_alone_accepts_a_code_twice_our_step_check_does_not() -> None:
    secret = pyotp.random_base32()
    assert len(secret) == 32  # 160 bits
    totp = pyotp.TOTP(secret)
    now = 1_800_000_000.0
    code = totp.at(now)
    assert totp.verify(code, for_time=now) and totp.verify(code, for_time=now)  # the library's behaviour
    step = matching_step(secret, code, now)
    assert step == int(now // 30)
    assert matching_step(secret, code, now + 30) == step  # still inside the +-1 window ...
    assert matching_step(secret, code, now + 90) is None  # ... but not beyond it
    assert matching_step(secret, "12345", now) is None and matching_step(secret, "abcdef", now) is None


def test_key_file_is_generated_0600_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = load_key(settings)
    path = tmp_path / "auth-secret.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_key(settings) == key and len(key) == 32
    sealed = Sealer(settings).seal("JBSWY3DPEHPK3PXP", "totp-seed")
    assert "JBSWY3DPEHPK3PXP" not in sealed and Sealer(settings).open(sealed, "totp-seed") == "JBSWY3DPEHPK3PXP"
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        Sealer(settings).open(sealed, "other-purpose")


def test_production_on_postgres_requires_the_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="production", database_url="postgresql://postgres@127.0.0.1/x")
    with pytest.raises(SecretKeyMissing):
        load_key(settings)
    assert (
        len(
            load_key(
                Settings(
                    data_dir=tmp_path,
                    environment="production",
                    secret_key="s" * 40,
                    database_url="postgresql://postgres@127.0.0.1/x",
                )
            )
        )
        == 32
    )
