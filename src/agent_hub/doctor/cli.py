"""`agent-hub doctor`: print every finding with its fix; exit 1 when any is an error, so an init
container or a deploy script can stop on it. Also reports unusable media engines when `serve`
starts, with the same words."""

from __future__ import annotations

import argparse
import asyncio
import sys

from agent_hub.cli import SERVE_PREFLIGHT, command
from agent_hub.config import Settings
from agent_hub.extras import require

from .checks import Finding, chains, engine_packages, run_all

MARK = {"ok": "ok   ", "warn": "WARN ", "error": "ERROR"}


def render(finding: Finding) -> str:
    line = f"{MARK[finding.level]} {finding.check}: {finding.message}"
    if finding.fix:
        line += f"\n      fix: {finding.fix}"
    return line


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--offline", action="store_true", help="check the settings only, not the services")


@command("doctor", "check settings, database, Valkey, S3 and media engines; exit 1 on errors", _args)
def doctor(args: argparse.Namespace, settings: Settings) -> int:
    if args.offline:
        from .checks import settings_findings

        findings = settings_findings(settings)
    else:
        findings = asyncio.run(run_all(settings))
    for finding in findings:
        print(render(finding))
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warn" for f in findings)
    print(f"\n{errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0


def report_engines(settings: Settings) -> None:
    """Before `serve` starts: refuse S3 without its package; say which engines cannot run."""
    if settings.s3_endpoint:
        require("boto3", "S3_ENDPOINT (media in S3)")
    for kind, chain in chains(settings).items():
        for name in chain:
            problem = engine_packages(kind, name)
            if problem is not None:
                print("agent-hub: " + render(problem), file=sys.stderr)


SERVE_PREFLIGHT.append(report_engines)
