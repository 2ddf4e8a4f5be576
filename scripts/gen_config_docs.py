"""Write docs/configuration.md: every setting of agent_hub.config.Settings, its environment
variable and default. A test fails when a setting is missing from the page."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices

from agent_hub.config import Settings

OUT = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def env_names(name: str, field) -> list[str]:  # type: ignore[no-untyped-def]
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(a) for a in alias.choices]
    return ["AGENT_HUB_" + name.upper()]


def main() -> None:
    lines = [
        "# Configuration",
        "",
        "Every setting is an environment variable read by `agent_hub.config.Settings`. The README lists",
        "the ones most installs touch; this page lists all of them. Lists are comma-separated.",
        "Regenerate with `.venv/bin/python scripts/gen_config_docs.py`.",
        "",
        "| Variable | Default |",
        "|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        if isinstance(default, list):
            default = ",".join(map(str, default)) or "(empty)"
        shown = "(unset)" if default is None else f"`{default}`"
        lines.append(f"| `{'` / `'.join(env_names(name, field))}` | {shown} |")
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
