"""Container image definitions and their install scripts (deploy/images)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import DEPLOY, find_tool, run

IMAGES = DEPLOY / "images"


def stages(dockerfile: Path) -> list[list[str]]:
    """Instructions (continuation lines joined, comments dropped) grouped by stage."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    out: list[list[str]] = []
    preamble: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            out.append([line])
        elif out:
            out[-1].append(line)
        else:
            preamble.append(line)
    return [preamble] + out


@pytest.mark.parametrize(
    ("name", "base_arg", "pinned", "script"),
    [
        ("api.Dockerfile", "PYTHON_IMAGE", r"python:3\.11\.\d+-slim-bookworm", "install-api.sh"),
        ("ui.Dockerfile", "NODE_IMAGE", r"node:20\.\d+\.\d+-bookworm-slim", "install-ui.sh"),
    ],
)
def test_dockerfile(name: str, base_arg: str, pinned: str, script: str) -> None:
    path = IMAGES / name
    preamble, *build_stages = stages(path)
    assert len(build_stages) >= 2, "multi-stage build"
    default = next(line for line in preamble if line.startswith(f"ARG {base_arg}="))
    assert re.fullmatch(rf"ARG {base_arg}={pinned}", default), default
    for stage in build_stages:
        assert stage[0].startswith(f"FROM ${{{base_arg}}} AS "), stage[0]
    final = build_stages[-1]
    text = "\n".join(final)
    assert "HEALTHCHECK" not in path.read_text(encoding="utf-8")
    users = [line for line in final if line.startswith("USER ")]
    assert users and users[-1] == "USER 10001:10001"
    assert "useradd --uid 10001" in text
    assert "HOME=/tmp" in text
    assert any(script in line for stage in build_stages for line in stage if line.startswith("RUN ")), "uses the script"
    assert not re.search(r"\b(gcc|build-essential|npm ci|npm install)\b", text), "no build tools in the final stage"
    assert "COPY --from=build" in text
    ignore = IMAGES / f"{name}.dockerignore"
    assert ignore.is_file()


def test_api_image_runs_the_three_commands() -> None:
    text = (IMAGES / "api.Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["agent-hub"]' in text
    assert 'CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]' in text
    install = (IMAGES / "install-api.sh").read_text(encoding="utf-8")
    for package in ("tesseract-ocr-eng", "libsndfile1", "ffmpeg"):
        assert re.search(rf"^\s*{re.escape(package)}\b", install, flags=re.M), package
    assert "rm -rf /var/lib/apt/lists/*" in install


def test_ui_image_runs_standalone_server() -> None:
    text = (IMAGES / "ui.Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["node", "server.js"]' in text and "PORT=3000" in text


def test_shellcheck() -> None:
    shellcheck = find_tool("shellcheck")
    scripts = sorted(str(p) for p in IMAGES.glob("*.sh"))
    result = run([shellcheck, "--severity=warning", *scripts])
    assert result.returncode == 0, result.stdout + result.stderr


def test_scripts_are_executable() -> None:
    for script in IMAGES.glob("*.sh"):
        assert os.access(script, os.X_OK), script


def test_install_ui_without_ui_is_a_no_op(tmp_path: Path) -> None:
    result = run(["bash", str(IMAGES / "install-ui.sh"), "--ui", str(tmp_path / "ui")])
    assert result.returncode == 0
    assert "package.json not found" in result.stdout


def test_install_api_argument_handling(tmp_path: Path) -> None:
    script = str(IMAGES / "install-api.sh")
    assert run(["bash", script, "--help"]).returncode == 0
    assert run(["bash", script, "--skip-apt", "--apt-only"]).returncode == 2
    assert run(["bash", script, "--skip-apt"]).returncode == 2  # no VENV_PATH
    assert run(["bash", script, "--bogus"]).returncode == 2
    missing = run(["bash", script, "--skip-apt", "--src", str(tmp_path), str(tmp_path / "venv")])
    assert missing.returncode == 1 and "pyproject.toml" in missing.stderr
    assert not (tmp_path / "venv").exists()
