#!/usr/bin/env python3
"""Write the server's OpenAPI document (no server needed) for the UI's generated types.

    .venv/bin/python scripts/export_openapi.py [OUT]     # default: ui/src/api/openapi.json

The output is deterministic (sorted keys, fixed indent) so a stale copy shows up as a diff.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def build() -> dict:
    from agent_hub.app import create_app
    from agent_hub.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            docs_enabled=True,
            data_dir=Path(tmp),
            database_url=None,
            redis_url=None,
            environment="development",
            ui_upstream=None,
        )
        app = create_app(settings)
        return app.openapi()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "ui" / "src" / "api" / "openapi.json"
    doc = build()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
