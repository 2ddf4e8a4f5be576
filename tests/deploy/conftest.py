"""Fixtures for the offline deployment checks (deploy/). Stdlib + PyYAML only here.

Tools: kubectl (kustomize), promtool, shellcheck and terraform are looked up on PATH
(override with KUBECTL, PROMTOOL, SHELLCHECK, TERRAFORM). Outside CI a missing tool skips
its checks; with CI=true it fails them, except terraform, which is optional everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
K8S = DEPLOY / "k8s"
MONITORING = DEPLOY / "monitoring"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").is_file())
OPTIONAL_TOOLS = {"terraform"}
HOW_TO_INSTALL = {
    "kubectl": "preinstalled on the machine image; otherwise the Kubernetes apt repository",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def find_tool(name: str) -> str:
    """Path of a command-line tool, or skip (fail in CI) when it is missing."""
    path = os.environ.get(name.upper()) or shutil.which(name)
    if path:
        return path
    message = f"{name} not found on PATH (set {name.upper()} to its path)"
    if in_ci() and name not in OPTIONAL_TOOLS:
        where = HOW_TO_INSTALL.get(name, "scripts/debian-packages.txt")
        pytest.fail(f"{message}; CI must provide it ({where})")
    pytest.skip(message)


def crds_dir() -> Path:
    override = os.environ.get("AGENT_HUB_CRDS_DIR")
    return Path(override) if override else Path(__file__).resolve().parent / "crds"  # vendored: see its README


def run(cmd: list[str], cwd: Path = REPO_ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def kubectl() -> str:
    return find_tool("kubectl")


@pytest.fixture(scope="session")
def promtool() -> str:
    return find_tool("promtool")


@pytest.fixture(scope="session")
def rendered(kubectl: str) -> dict[str, list[dict]]:
    """Every overlay rendered once with `kubectl kustomize`: {overlay: [documents]}."""
    out: dict[str, list[dict]] = {}
    for name in OVERLAYS:
        result = run([kubectl, "kustomize", str(K8S / "overlays" / name)])
        assert result.returncode == 0, f"kustomize {name} failed:\n{result.stderr}"
        docs = [d for d in yaml.safe_load_all(result.stdout) if d]
        assert docs, f"overlay {name} rendered nothing"
        out[name] = docs
    return out


@pytest.fixture(scope="session")
def crd_schemas() -> dict[tuple[str, str], dict]:
    """{(apiVersion, kind): openAPIV3Schema} for the vendored CRDs."""
    root = crds_dir()
    if not root.is_dir():
        message = f"CRD schemas not found at {root} (set AGENT_HUB_CRDS_DIR)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    schemas: dict[tuple[str, str], dict] = {}
    for path in sorted(root.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                schemas[key] = version["schema"]["openAPIV3Schema"]
    assert schemas, f"no CustomResourceDefinitions under {root}"
    return schemas
