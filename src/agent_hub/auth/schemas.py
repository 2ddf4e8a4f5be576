"""Request models for /auth/*. Every model forbids unknown fields (no mass assignment)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

PASSWORD = Field(..., min_length=1, max_length=4096)  # policy (15 chars, 1024 bytes) is checked in code
CODE = Field(None, min_length=1, max_length=32)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SetupStart(Strict):
    setup_token: str = Field(..., min_length=1, max_length=128)
    username: str | None = Field(None, max_length=64)


class CredentialIn(Strict):
    credential: dict[str, Any]
    name: str | None = Field(None, min_length=1, max_length=64)


class AssertionIn(Strict):
    credential: dict[str, Any]


class PasswordIn(Strict):
    password: str = PASSWORD


class CodeIn(Strict):
    code: str = Field(..., min_length=1, max_length=32)


class _SecondFactor(Strict):
    totp_code: str | None = CODE
    backup_code: str | None = CODE

    @model_validator(mode="after")
    def _exactly_one(self) -> _SecondFactor:
        if (self.totp_code is None) == (self.backup_code is None):
            raise ValueError("send exactly one of totp_code or backup_code")
        return self


class PasswordLogin(_SecondFactor):
    username: str = Field(..., min_length=1, max_length=64)
    password: str = PASSWORD


class PasswordStepUp(_SecondFactor):
    password: str = PASSWORD


class PasswordChange(Strict):
    current_password: str | None = Field(None, max_length=4096)
    new_password: str = PASSWORD
    end_other_sessions: bool = True


class Rename(Strict):
    name: str = Field(..., min_length=1, max_length=64)
