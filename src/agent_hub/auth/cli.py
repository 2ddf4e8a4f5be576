"""CLI: `agent-hub setup-token`, `agent-hub reset-auth`, and the `serve` preflight that prints a
setup token while no owner can sign in."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from sqlalchemy import delete

from agent_hub.cli import SERVE_PREFLIGHT, _with_db, command
from agent_hub.config import Settings


def _print_token(token: str, settings: Settings, why: str) -> None:
    print(
        f"\n  Agent Hub first-run setup ({why}).\n"
        f"  Open {settings.public_base}/setup and enter this one-time setup token\n"
        f"  (valid for {settings.setup_token_ttl_hours:g} hours):\n\n    {token}\n",
        file=sys.stderr,
        flush=True,
    )


async def _issue(db: Any, settings: Settings) -> str:
    from agent_hub.auth import setup
    from agent_hub.auth.runtime import AuthRuntime

    return await setup.issue_token(db, AuthRuntime(settings, None))


def preflight(settings: Settings) -> None:
    """Before `serve` starts: while setup is open, print a fresh setup token."""
    from agent_hub.auth import setup

    async def run(db: Any) -> int:
        if await setup.setup_required(db):
            _print_token(await _issue(db, settings), settings, "no owner can sign in yet")
        return 0

    asyncio.run(_with_db(settings, run))


SERVE_PREFLIGHT.append(preflight)


@command("setup-token", "print a new one-time token for the first-run setup")
def setup_token(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.auth import setup
    from agent_hub.db.migrate import upgrade

    upgrade(settings)

    async def run(db: Any) -> int:
        if not await setup.setup_required(db):
            print(
                "setup is closed: an owner can already sign in (use `agent-hub reset-auth` to start over)",
                file=sys.stderr,
            )
            return 1
        _print_token(await _issue(db, settings), settings, "requested")
        return 0

    return asyncio.run(_with_db(settings, run))


def _reset_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")


@command(
    "reset-auth",
    "remove the owner's passkeys, password, TOTP, backup codes and sessions; print a setup token",
    _reset_args,
)
def reset_auth(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.auth import audit
    from agent_hub.auth import repository as repo
    from agent_hub.auth.models import AuthSession, BackupCode, Passkey
    from agent_hub.db.migrate import upgrade

    if not args.yes and sys.stdin.isatty():
        if input("Remove every sign-in method of the owner? [y/N] ").strip().lower() != "y":
            return 1
    upgrade(settings)

    ended: list[str] = []

    async def run(db: Any) -> int:
        owner = await repo.owner(db)
        if owner is not None:
            for model in (Passkey, BackupCode, AuthSession):
                await db.execute(delete(model).where(model.owner_id == owner.id))
            owner.password_hash = owner.totp_secret_enc = owner.totp_last_step = None
            await db.flush()
            await audit.record(db, None, owner.id, "factors_reset", via="cli")
            ended.append(owner.id)
        _print_token(await _issue(db, settings), settings, "sign-in methods were reset")
        return 0

    status = asyncio.run(_with_db(settings, run))
    if ended:
        asyncio.run(_announce_ended_sessions(settings, ended[0]))
    return status


async def _announce_ended_sessions(settings: Settings, owner_id: str) -> None:
    """Tell the replicas (through Valkey) that the owner's sessions ended, so sockets opened
    with them close now; without Valkey they close on their next heartbeat."""
    if not settings.redis_url:
        return
    import orjson
    from redis.asyncio import Redis

    from agent_hub.realtime.hub import channel_for

    redis = Redis.from_url(settings.redis_url)
    try:
        await redis.publish(channel_for(settings), orjson.dumps([{"k": "creds", "owner": owner_id}]))
    except Exception as exc:  # the reset itself is done; say so and go on
        print(f"  (could not notify the running servers: {exc})", file=sys.stderr)
    finally:
        await redis.aclose()
