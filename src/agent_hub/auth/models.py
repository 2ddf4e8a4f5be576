"""Owner authentication tables: the owner, passkeys, backup codes, sessions, setup tokens and
owner-visible security events. Secrets are stored only as hashes (sessions, setup tokens,
backup codes, password) or encrypted (the TOTP seed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agent_hub.db.base import Base, UtcDateTime, created_column, id_column


class Owner(Base):
    """The one human owner. Its identity on the API is the `human` agent `agent_id`."""

    __tablename__ = "auth_owners"

    id: Mapped[str] = id_column()
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, unique=True)
    username: Mapped[str] = mapped_column(String(32), nullable=False)
    webauthn_user_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret_enc: Mapped[str | None] = mapped_column(String(255))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = created_column()


class Passkey(Base):
    __tablename__ = "auth_passkeys"

    id: Mapped[str] = id_column()
    owner_id: Mapped[str] = mapped_column(ForeignKey("auth_owners.id", ondelete="CASCADE"), nullable=False, index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), nullable=False, unique=True)  # base64url
    public_key: Mapped[str] = mapped_column(Text, nullable=False)  # base64url COSE key
    sign_count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    transports: Mapped[list[str] | None] = mapped_column(JSON)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    backed_up: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = created_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class BackupCode(Base):
    """`lookup` (the first group, not secret) finds the row; the rest is argon2id-hashed."""

    __tablename__ = "auth_backup_codes"

    id: Mapped[str] = id_column()
    owner_id: Mapped[str] = mapped_column(ForeignKey("auth_owners.id", ondelete="CASCADE"), nullable=False, index=True)
    lookup: Mapped[str] = mapped_column(String(8), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = created_column()
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("owner_id", "lookup"),)


class AuthSession(Base):
    """A browser session. Only the SHA-256 of the cookie value is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = id_column()
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("auth_owners.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = created_column()
    last_used_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    auth_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    auth_method: Mapped[str] = mapped_column(String(32), nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(256))


class SetupToken(Base):
    __tablename__ = "auth_setup_tokens"

    id: Mapped[str] = id_column()
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_column()
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SecurityEvent(Base):
    """Owner-visible record of factor, key and session changes (never holds a secret)."""

    __tablename__ = "auth_events"

    id: Mapped[str] = id_column()
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("auth_owners.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = created_column()
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
