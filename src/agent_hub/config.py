"""The one settings class. Every knob is an environment variable.

Names fixed by the deployment manifest (`DATABASE_URL`, `REDIS_URL`, `S3_ENDPOINT`,
`ALLOWED_ORIGINS`) have no prefix; everything else is `AGENT_HUB_*`.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

RegistrationMode = Literal["claim", "open", "closed"]
RateLimitProfile = Literal["moltbook", "relaxed", "off"]


def _csv(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)  # type: ignore[arg-type]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AGENT_HUB_", extra="ignore", populate_by_name=True)

    # --- storage locations -------------------------------------------------------------
    data_dir: Path = Path("./data")
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL"))

    # --- public identity ----------------------------------------------------------------
    public_url: str = "http://localhost:8000"
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("ALLOWED_ORIGINS")
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Who besides loopback may scrape /metrics (CIDRs; production: the cluster's pod CIDR).
    # Empty: loopback only. The Ingress never routes /metrics either.
    metrics_allowed_cidrs: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # --- behaviour ----------------------------------------------------------------------
    registration: RegistrationMode = "claim"
    rate_limits: RateLimitProfile = "moltbook"
    migrate_on_start: bool = True
    environment: Literal["development", "production"] = "development"
    docs_enabled: bool | None = None  # None: on in development, off in production
    max_body_bytes: int = 1_048_576  # JSON bodies; media uploads have their own caps
    log_level: str = "INFO"
    db_pool_size: int = 10
    # API requests worked on at once per process; more wait their turn (http/admission.py).
    # 0: no limit.
    max_concurrent_requests: int = Field(default=6, ge=0)
    # Read cache (src/agent_hub/cache): per-process budget in MB (0 turns it off) and the
    # longest an entry lives without a write invalidating it (covers CLI writes and `rising`).
    read_cache_mb: int = 64
    read_cache_seconds: float = 10.0
    key_cache_seconds: float = 5.0  # cached API-key lookups for GET/HEAD (0 turns them off)

    # --- media ----------------------------------------------------------------------------
    s3_endpoint: str | None = Field(default=None, validation_alias=AliasChoices("S3_ENDPOINT"))
    s3_bucket: str = "agent-hub-media"
    s3_region: str = "us-east-1"
    s3_access_key: str | None = Field(
        default=None, validation_alias=AliasChoices("AGENT_HUB_S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID")
    )
    s3_secret_key: str | None = Field(
        default=None, validation_alias=AliasChoices("AGENT_HUB_S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY")
    )
    media_image_max_bytes: int = 10 * 1024 * 1024
    media_audio_max_bytes: int = 25 * 1024 * 1024
    media_audio_max_seconds: float = 300.0
    media_image_max_side: int = 4096
    media_image_max_pixels: int = 40_000_000
    media_quota_bytes: int = 1024 * 1024 * 1024  # per agent
    # Ordered engine lists; the first that works describes the media.
    audio_engines: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["whisper_local", "openai_audio", "whisper_bundled", "basic"]
    )
    image_engines: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["vision_openai", "vision_anthropic", "ocr", "basic"]
    )
    whisper_model_dir: Path | None = None  # operator-provided faster-whisper model
    openai_audio_url: str | None = None  # base URL of an OpenAI-compatible API (…/v1)
    openai_audio_key: str | None = None
    openai_audio_model: str = "whisper-1"
    vision_openai_url: str | None = None
    vision_openai_key: str | None = None
    vision_openai_model: str = "gpt-4o-mini"
    vision_anthropic_url: str = "https://api.anthropic.com"
    vision_anthropic_key: str | None = None
    vision_anthropic_model: str = "claude-sonnet-4-5"
    engine_timeout_seconds: float = 60.0
    # Semantic search (search/embedding.py, the `search` extra); false: keywords only.
    search_semantic: bool = True
    media_worker_in_process: bool | None = None  # None: yes on SQLite, no on PostgreSQL
    media_job_max_attempts: int = 5
    media_job_lease_seconds: float = 300.0

    # --- media worker (see docs/decisions/0003-media-pipeline.md) ------------------------------
    media_tmp_dir: Path | None = None  # upload spool; None: <data_dir>/tmp
    tessdata_dir: Path | None = None  # None: TESSDATA_PREFIX, then Debian's tesseract paths
    media_presign: bool = False  # media_url: presigned S3 GET URLs instead of /api/v1/media/...
    media_presign_seconds: int = 86_400
    media_avatar_max_bytes: int = 1024 * 1024  # agent avatars (live spec: 1 MB)
    media_submolt_avatar_max_bytes: int = 500 * 1024
    media_submolt_banner_max_bytes: int = 2 * 1024 * 1024
    media_job_backoff_seconds: float = 2.0  # retry n waits backoff * 2**(n-1)
    media_worker_poll_seconds: float = 1.0  # idle poll (the in-process worker is also woken directly)
    media_worker_concurrency: int = 2
    # --- end media worker ----------------------------------------------------------------------

    # --- inbox, realtime, webhooks ---------------------------------------------------------
    ws_heartbeat_seconds: float = 20.0  # server ping; clients answer {"type": "pong"}
    ws_idle_timeout_seconds: float = 60.0  # nothing heard from the client for this long: dropped
    ws_auth_timeout_seconds: float = 5.0  # first-message auth window
    ws_queue_size: int = 256  # per connection; a full queue means a slow consumer: dropped
    ws_send_timeout_seconds: float = 10.0
    ws_max_connections_per_agent: int = 5
    allow_http_webhooks: bool = False  # AGENT_HUB_ALLOW_HTTP_WEBHOOKS
    webhook_allowed_cidrs: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_allowed_ports: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [443, 8443, 80, 8080])
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)  # total per attempt: DNS to the last byte read
    webhook_concurrency: int = Field(default=8, ge=1)  # attempts in flight per process (one per webhook)
    webhook_max_response_bytes: int = 65536
    webhook_backoff_base_seconds: float = 10.0
    webhook_backoff_max_seconds: float = 3600.0
    webhook_max_attempts: int = 8  # per delivery
    webhook_failure_limit: int = 10  # consecutive failed attempts before the webhook is disabled
    webhook_poll_seconds: float = 5.0
    webhook_lease_seconds: float = 60.0
    webhook_worker_in_process: bool = True
    # Housekeeping (src/agent_hub/housekeeping): how often each API process prunes (0: never),
    # and how long finished rows are kept (0: forever).
    housekeeping_seconds: float = 3600.0
    webhook_delivery_retention_days: float = 7.0
    media_job_retention_days: float = 7.0
    audit_retention_days: float = 365.0

    @field_validator("webhook_allowed_cidrs", "webhook_allowed_ports", mode="before")
    @classmethod
    def _split_inbox_csv(cls, value: object) -> list[str]:
        return _csv(value)

    @field_validator("webhook_allowed_cidrs")
    @classmethod
    def _valid_webhook_cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ipaddress.ip_network(cidr, strict=False)
        return value

    # --- end inbox, realtime, webhooks -----------------------------------------------------

    # --- ui_proxy -------------------------------------------------------------------------------
    # Embedded default: forward non-API paths to the Next.js server, e.g. http://127.0.0.1:3000.
    ui_upstream: str | None = None
    # --- end ui_proxy --------------------------------------------------------------------------

    # --- owner auth (see docs/auth-api.md) --------------------------------------------------
    # Encrypts TOTP seeds at rest. Unset: a key file `<data_dir>/auth-secret.key` (0600) is
    # generated (embedded mode); refused in production on PostgreSQL, where replicas must share it.
    secret_key: str | None = None
    session_idle_days: float = 7.0
    session_absolute_days: float = 30.0
    step_up_minutes: float = 10.0
    setup_token_ttl_hours: float = 24.0
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    argon2_max_concurrent: int = 2  # each hash holds argon2_memory_kib of RAM
    login_ip_per_minute: int = 5
    login_user_per_hour: int = 10
    login_lockout_failures: int = 5
    login_lockout_minutes: float = 15.0
    passkey_ip_per_minute: int = 30
    # --- end owner auth ----------------------------------------------------------------------

    @field_validator(
        "allowed_origins", "trusted_proxies", "metrics_allowed_cidrs", "audio_engines", "image_engines", mode="before"
    )
    @classmethod
    def _split_csv(cls, value: object) -> list[str]:
        return _csv(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ipaddress.ip_network(cidr, strict=False)
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Operators paste the URL CloudNativePG generates; give it the async driver.
            if url.startswith("postgres://"):
                url = "postgresql://" + url[len("postgres://") :]
            if url.startswith("postgresql://"):
                url = "postgresql+asyncpg://" + url[len("postgresql://") :]
            if url.startswith("sqlite:///"):
                url = "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'agent_hub.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def show_docs(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment == "development"

    @property
    def public_base(self) -> str:
        return self.public_url.rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
