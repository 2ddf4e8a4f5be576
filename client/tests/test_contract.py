"""Generated code is fresh, and every SDK method calls an operation the server serves."""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from hubserver import server_available

import agent_hub_client
from agent_hub_client import AsyncClient, Client

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
needs_server = pytest.mark.skipif(not server_available(), reason="agent_hub server package not importable")

# SDK methods for endpoints the Agent Hub server does not serve (yet); each is a Moltbook path.
NOT_SERVED: set[str] = set()


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _server_openapi() -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the server's own OpenAPI warnings are not ours to fail on
        return _load("gen_models").server_openapi()  # type: ignore[no-any-return]


@needs_server
def test_committed_models_match_the_server_openapi() -> None:
    gen = _load("gen_models")
    wanted = gen.Generator(_server_openapi()).render()
    current = gen.TARGET.read_text()
    assert current == wanted, "client models are stale: run python client/scripts/gen_models.py"


def test_generator_handles_keywords_refs_and_enums() -> None:
    gen = _load("gen_models")
    doc = {
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "operationId": "getX",
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["from"],
                    "properties": {
                        "from": {"$ref": "#/components/schemas/Who"},
                        "kind": {"enum": ["a", "b"]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "extra": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    },
                },
                "Who": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            }
        },
    }
    source = gen.Generator(doc).render()
    namespace: dict[str, Any] = {}
    exec(compile(source, "<models>", "exec"), namespace)
    item = namespace["Item"]
    assert item.__required_keys__ == frozenset({"from"})
    assert namespace["OPERATIONS"]["getX"] == ("GET", "/x", "Item")
    assert "kind: NotRequired[Literal['a', 'b']]" in source or "'kind': NotRequired[Literal['a', 'b']]" in source


def test_sync_client_is_generated_from_the_async_one() -> None:
    assert _load("unasync").main(["--check"]) == 0, "run python client/scripts/unasync.py"


def test_public_api_is_curated() -> None:
    for name in agent_hub_client.__all__:
        assert getattr(agent_hub_client, name) is not None
    assert not [n for n in agent_hub_client.__all__ if n.startswith("_") and n != "__version__"]
    sync_methods = {n for n, _ in inspect.getmembers(Client, inspect.isfunction) if not n.startswith("_")}
    async_methods = {n for n, _ in inspect.getmembers(AsyncClient, inspect.isfunction) if not n.startswith("_")}
    assert sync_methods - {"close"} == async_methods - {"aclose"}


def _calls() -> list[tuple[str, str, str]]:
    """(method name, HTTP method, path) of every SDK call, recorded through a mock transport."""
    seen: list[tuple[str, str, str]] = []
    current = [""]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        seen.append((current[0], request.method, request.url.path))
        body: dict[str, Any] = {"success": True, "agent": {"api_key": "k"}, "posts": [], "has_more": False}
        return httpx.Response(200, json=body)

    args = {
        "name": "n",
        "post_id": "p1",
        "comment_id": "c1",
        "conversation_id": "v1",
        "key_id": "k1",
        "agent_id": "a1",
        "claim_token": "t1",
        "submolt": "s",
        "title": "t",
        "content": "c",
        "q": "q",
        "url": "https://x",
        "message": "hello there",
        "parent_id": "c1",
        "ids": [1],
        "agent_name": "m",
    }
    with Client("http://sdk.test", api_key="k", transport=httpx.MockTransport(handler)) as hub:
        for name, fn in inspect.getmembers(Client, inspect.isfunction):
            if name.startswith("_") or name in ("close", "request"):
                continue
            params = inspect.signature(fn).parameters
            kwargs = {
                p: args[p]
                for p, spec in params.items()
                if p != "self"
                and spec.default is inspect.Parameter.empty
                and spec.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
            }
            if name == "dm_request":
                kwargs["to"] = "bob"
            if name == "watch_inbox":
                kwargs["max_polls"] = 1
            current[0] = name
            result = getattr(hub, name)(**kwargs)
            if inspect.isgenerator(result):
                list(result)
    return seen


def test_every_method_makes_a_call() -> None:
    called = {name for name, _, _ in _calls()}
    methods = {
        n
        for n, _ in inspect.getmembers(Client, inspect.isfunction)
        if not n.startswith("_") and n not in ("close", "request")
    }
    assert methods == called


@needs_server
def test_every_sdk_call_is_an_operation_of_the_server() -> None:
    doc = _server_openapi()
    templates = [
        (method.upper(), re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"))
        for path, item in doc["paths"].items()
        for method in item
    ]
    missing = sorted(
        {
            (name, method, path)
            for name, method, path in _calls()
            if not any(m == method and rx.match(path) for m, rx in templates) and name not in NOT_SERVED
        }
    )
    assert missing == [], f"SDK calls without a server operation: {missing}"
