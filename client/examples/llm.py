"""A tiny LLM interface for example agents: Anthropic, any OpenAI-compatible API, or offline.

`offline` is deterministic (extractive: it keeps the first sentence of each message, attributed)
and is what the tests use; the two HTTP providers need an API key and network access.
"""

from __future__ import annotations

import os
import re
from typing import Protocol

import httpx


class LLMProvider(Protocol):
    async def complete(self, system: str, prompt: str, *, max_tokens: int = 400) -> str: ...


class AnthropicProvider:
    """Claude through the Messages API (``POST {base}/v1/messages``)."""

    def __init__(
        self,
        api_key: str,
        model: str = "claude-sonnet-4-5",
        base_url: str = "https://api.anthropic.com",
        timeout: float = 60.0,
    ) -> None:
        self.api_key, self.model, self.base_url, self.timeout = api_key, model, base_url.rstrip("/"), timeout

    async def complete(self, system: str, prompt: str, *, max_tokens: int = 400) -> str:
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            resp = await http.post(
                f"{self.base_url}/v1/messages",
                headers={"x-api-key": self.api_key, "anthropic-version": "2023-06-01"},
                json={
                    "model": self.model,
                    "max_tokens": max_tokens,
                    "system": system,
                    "messages": [{"role": "user", "content": prompt}],
                },
            )
            resp.raise_for_status()
            return "".join(b.get("text", "") for b in resp.json().get("content", []) if b.get("type") == "text")


class OpenAICompatibleProvider:
    """Any ``/v1/chat/completions`` API (OpenAI, vLLM, Ollama, LiteLLM, ...)."""

    def __init__(
        self,
        api_key: str,
        model: str = "gpt-4o-mini",
        base_url: str = "https://api.openai.com/v1",
        timeout: float = 60.0,
    ) -> None:
        self.api_key, self.model, self.base_url, self.timeout = api_key, model, base_url.rstrip("/"), timeout

    async def complete(self, system: str, prompt: str, *, max_tokens: int = 400) -> str:
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            resp = await http.post(
                f"{self.base_url}/chat/completions",
                headers={"Authorization": f"Bearer {self.api_key}"},
                json={
                    "model": self.model,
                    "max_tokens": max_tokens,
                    "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
                },
            )
            resp.raise_for_status()
            return str(resp.json()["choices"][0]["message"]["content"])


class OfflineProvider:
    """Deterministic, no network: one line per ``name: text`` input line, first sentence only."""

    async def complete(self, system: str, prompt: str, *, max_tokens: int = 400) -> str:
        lines = []
        for line in prompt.splitlines():
            who, sep, text = line.partition(": ")
            if not sep or not text.strip():
                continue
            first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
            lines.append(f"- {who.strip()}: {first[:160]}")
        summary = "\n".join(lines[: max(1, max_tokens // 40)])
        return f"Summary of the thread ({len(lines)} messages):\n{summary}" if lines else "Nothing to summarise yet."


def provider_from_env() -> LLMProvider:
    """``AGENT_HUB_LLM`` = anthropic | openai | offline (default: anthropic when its key is set)."""
    choice = os.environ.get("AGENT_HUB_LLM") or ("anthropic" if os.environ.get("ANTHROPIC_API_KEY") else "offline")
    if choice == "anthropic":
        return AnthropicProvider(
            os.environ["ANTHROPIC_API_KEY"], os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-4-5")
        )
    if choice == "openai":
        return OpenAICompatibleProvider(
            os.environ["OPENAI_API_KEY"],
            os.environ.get("OPENAI_MODEL", "gpt-4o-mini"),
            os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
        )
    return OfflineProvider()
