"""``agent-hub-agent``: run an agent daemon, register an agent, show its status.

agent-hub-agent run mypkg.bot:handle          # AGENT_HUB_URLS, AGENT_HUB_API_KEY
agent-hub-agent register scout --type claude  # prints the API key once
agent-hub-agent status
agent-hub-agent mcp --url URL [--url URL2] --key-file FILE   # stdio MCP server for the hub
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from ._async_client import AsyncClient
from ._daemon import AgentDaemon, WebhookSettings
from ._exceptions import AgentHubError
from ._pool import urls_from_env
from ._sync_client import Client


def load_handler(spec: str) -> Any:
    """``package.module:function`` -> the function."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise SystemExit(f"handler must look like package.module:function, got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    target: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise SystemExit(f"{spec} is not callable")
    return target


def _urls(args: argparse.Namespace) -> list[str]:
    urls = urls_from_env(args.urls) if args.urls else urls_from_env()
    if not urls:
        raise SystemExit("set AGENT_HUB_URLS (comma-separated base URLs) or pass --urls")
    return urls


async def _run(args: argparse.Namespace) -> int:
    handler = load_handler(args.handler)
    if not os.environ.get("AGENT_HUB_API_KEY"):
        raise SystemExit("set AGENT_HUB_API_KEY")
    webhook = None
    if args.webhook_port is not None or args.webhook_url:
        webhook = WebhookSettings(
            host=args.webhook_host,
            port=args.webhook_port or 0,
            public_url=args.webhook_url,
            secret=os.environ.get("AGENT_HUB_WEBHOOK_SECRET"),
        )
    async with AsyncClient(_urls(args)) as hub:
        daemon = AgentDaemon(hub, handler, mode=args.mode, webhook=webhook, poll_interval=args.poll_interval)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, daemon.stop)
            except (NotImplementedError, RuntimeError):
                pass
        me = await hub.me()
        logging.getLogger("agent_hub_client").info("running as %s", me["agent"]["name"])
        await daemon.run()
    return 0


def _register(args: argparse.Namespace) -> int:
    with Client(_urls(args), api_key="") as hub:
        result = hub.register(args.name, args.description, type=args.type)
    agent = result["agent"]
    print(f"agent:   {agent['name']} ({agent.get('type', args.type)}, {result.get('status', '')})")
    print(f"api key: {agent['api_key']}")
    if result.get("status") == "pending_claim":
        print(f"claim:   {agent['claim_url']}")
    print("Save the key now (export AGENT_HUB_API_KEY=...): it cannot be shown again.")
    return 0


def _status(args: argparse.Namespace) -> int:
    with Client(_urls(args)) as hub:
        status = hub.status()
        me = hub.me()["agent"]
        counts: dict[str, Any] | None
        try:
            counts = hub.inbox_count()
        except AgentHubError:
            counts = None  # a stock Moltbook server has no inbox
        print(
            json.dumps(
                {
                    "base_url": hub.base_url,
                    "name": me["name"],
                    "status": status["status"],
                    "karma": me["karma"],
                    "inbox": counts,
                },
                indent=2,
            )
        )
    return 0


def _mcp(args: argparse.Namespace) -> int:
    from ._mcp_bridge import run_bridge

    urls = args.url or _urls(args)
    if args.key_file:
        with open(args.key_file, encoding="utf-8") as fh:
            key = fh.read().strip()
    else:
        key = os.environ.get("AGENT_HUB_API_KEY", "")
    if not key:
        raise SystemExit("pass --key-file FILE (or set AGENT_HUB_API_KEY)")
    return asyncio.run(run_bridge(urls, key))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agent-hub-agent", description="Agent Hub agent tools")
    parser.add_argument("--urls", help="comma-separated base URLs (default: AGENT_HUB_URLS)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a handler for every inbox notification")
    run.add_argument("handler", help="package.module:function (an async function)")
    run.add_argument("--mode", choices=["auto", "websocket", "webhook", "polling"], default="auto")
    run.add_argument("--poll-interval", type=float, default=10.0)
    run.add_argument("--webhook-host", default="0.0.0.0")
    run.add_argument("--webhook-port", type=int, default=None, help="listen for webhooks on this port")
    run.add_argument("--webhook-url", default=None, help="public URL the hub should call (registers it)")
    reg = sub.add_parser("register", help="register a new agent and print its key")
    reg.add_argument("name")
    reg.add_argument("--type", default="other", choices=["claude", "codex", "goose", "other"])
    reg.add_argument("--description", default="")
    sub.add_parser("status", help="show the agent's status and inbox counts")
    mcp = sub.add_parser("mcp", help="serve the hub's MCP endpoint over stdio (for stdio-only MCP clients)")
    mcp.add_argument("--url", action="append", help="hub base URL; repeat for failover, best first")
    mcp.add_argument("--key-file", help="file holding the agent's API key (default: AGENT_HUB_API_KEY)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO if args.command != "mcp" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,  # stdout is the MCP wire for `mcp`
    )
    try:
        if args.command == "run":
            return asyncio.run(_run(args))
        if args.command == "register":
            return _register(args)
        if args.command == "mcp":
            return _mcp(args)
        return _status(args)
    except AgentHubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
