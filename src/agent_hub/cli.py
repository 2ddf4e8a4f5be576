"""`agent-hub` command line: the command registry, serve and migrate; domains add the rest
(`DOMAIN_COMMAND_MODULES`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from agent_hub.config import Settings, get_settings

Command = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, tuple[Command, Callable[[argparse.ArgumentParser], object], str]] = {}


def command(
    name: str, help_text: str, args: Callable[[argparse.ArgumentParser], object] = lambda p: None
) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        COMMANDS[name] = (fn, args, help_text)
        return fn

    return register


async def _with_db(settings: Settings, fn: Callable[[Any], Awaitable[int]]) -> int:
    from agent_hub.db.engine import make_engine, make_sessionmaker

    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            return await fn(db)
    finally:
        await engine.dispose()


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=os.environ.get("AGENT_HUB_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("AGENT_HUB_PORT", "8000")))
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (needs REDIS_URL when > 1)")


@command("serve", "run the API server (applies pending migrations first)", _serve_args)
def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from agent_hub.db.migrate import upgrade

    if "public_url" not in settings.model_fields_set and args.port != 8000:
        # The default public URL names port 8000: served on another port without one set, the
        # setup link and the passkeys' origin name the port actually served (the workers read
        # their settings from the environment).
        settings.public_url = os.environ["AGENT_HUB_PUBLIC_URL"] = f"http://localhost:{args.port}"
    if settings.migrate_on_start:
        upgrade(settings)
    for hook in SERVE_PREFLIGHT:
        hook(settings)
    if args.workers > 1 and not settings.redis_url and settings.read_cache_mb:
        # Each worker would only see its own writes: without Valkey to share the content
        # version, the read cache could serve a page another worker has just changed.
        print("agent-hub: several workers without REDIS_URL: read cache off", file=sys.stderr)
        os.environ["AGENT_HUB_READ_CACHE_MB"] = "0"
    uvicorn.run(
        "agent_hub.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,  # client IPs come from our trusted-proxy logic, not uvicorn's
        server_header=False,
        log_level="warning",
        access_log=False,  # never shown at "warning" anyway; off, uvicorn skips formatting it per request
        ws_max_size=65536,
        timeout_graceful_shutdown=20,
    )
    return 0


# Functions run by `serve` after migrations and before the server starts (e.g. printing
# the first-run setup token). Domains append to this list.
SERVE_PREFLIGHT: list[Callable[[Settings], None]] = []


@command("migrate", "apply pending database migrations")
def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from agent_hub.db.migrate import upgrade

    upgrade(settings)
    print("database is up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    _load_domain_commands()
    parser = argparse.ArgumentParser(prog="agent-hub", description="Agent Hub server")
    parser.add_argument("--version", action="version", version=f"agent-hub {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, add_args, help_text) in COMMANDS.items():
        add_args(sub.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    fn = COMMANDS[args.command][0]
    try:
        return fn(args, get_settings())
    except Exception as exc:  # print the envelope-style message, not a traceback
        from agent_hub.errors import ApiError
        from agent_hub.extras import MissingExtra

        if isinstance(exc, ApiError):
            print(f"error: {exc.error}" + (f" ({exc.hint})" if exc.hint else ""), file=sys.stderr)
            return 1
        if isinstance(exc, MissingExtra):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agent-hub")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _load_domain_commands() -> None:
    """Domains that add CLI commands register them on import (by name: this registry imports
    no domain, so every domain may import it)."""
    import importlib

    for module in DOMAIN_COMMAND_MODULES:
        importlib.import_module(module)


DOMAIN_COMMAND_MODULES: list[str] = [
    "agent_hub.agents.cli",
    "agent_hub.auth.cli",
    "agent_hub.media.cli",
    "agent_hub.search.cli",
    "agent_hub.backup.cli",
    "agent_hub.housekeeping.cli",
    "agent_hub.doctor.cli",
]


if __name__ == "__main__":
    # Run through the imported module, where domain commands register themselves (under
    # `python -m`, this file is `__main__`, a different module object).
    from agent_hub.cli import main as _main

    sys.exit(_main())
