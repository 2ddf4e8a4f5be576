"""Generate the sync client from the async one (the httpcore "unasync" approach).

    python client/scripts/unasync.py          # rewrite the _sync_*.py files
    python client/scripts/unasync.py --check  # exit 1 when they are stale

The async modules are the source of truth; `_sync_client.py` and `_sync_transport.py` are
derived by token replacement, so both clients always have the same methods and behaviour.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "agent_hub_client"
FILES = {"_async_client.py": "_sync_client.py", "_async_transport.py": "_sync_transport.py"}

# Ordered: longer, more specific patterns first.
RULES: list[tuple[str, str]] = [
    (r"\b_async_transport\b", "_sync_transport"),
    (r"\b_async_client\b", "_sync_client"),
    (r"\bAsyncTransport\b", "SyncTransport"),
    (r"\bhttpx\.AsyncBaseTransport\b", "httpx.BaseTransport"),
    (r"\bhttpx\.AsyncClient\b", "httpx.Client"),
    (r"\bAsyncClient\b", "Client"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\bAsync client\b", "Client"),
    (r"\basync context manager\b", "context manager"),
    (r"\basync def\b", "def"),
    (r"\basync for\b", "for"),
    (r"\basync with\b", "with"),
    (r"\bawait ", ""),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\baclose\b", "close"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    (r"^import asyncio$", "import time"),
]


def transform(source: str, name: str) -> str:
    lines = [line for line in source.splitlines() if not line.startswith("# ASYNC-ONLY:")]
    text = "\n".join(lines) + "\n"
    for pattern, repl in RULES:
        text = re.sub(pattern, repl, text, flags=re.MULTILINE)
    header = f"# GENERATED from {name} by client/scripts/unasync.py. Do not edit: edit {name} instead.\n"
    return header + text


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for src, dst in FILES.items():
        wanted = transform((PACKAGE / src).read_text(), src)
        target = PACKAGE / dst
        if target.exists() and target.read_text() == wanted:
            continue
        stale.append(dst)
        if not check:
            target.write_text(wanted)
    if check and stale:
        print("stale (run python client/scripts/unasync.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    if not check and stale:
        print("rewrote " + ", ".join(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
