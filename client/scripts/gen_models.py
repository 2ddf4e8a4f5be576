"""Generate `agent_hub_client/_models.py` (TypedDicts) from the server's OpenAPI document.

    python client/scripts/gen_models.py                    # from the importable server package
    python client/scripts/gen_models.py --openapi doc.json # from a saved OpenAPI document
    python client/scripts/gen_models.py --check            # exit 1 when the committed file is stale

Every component schema becomes a ``TypedDict`` (optional fields as ``NotRequired``), and every
operation is listed in ``OPERATIONS`` (operation id -> method, path, response model), which the
SDK's tests use to prove that each method calls a path the server really serves.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "src" / "agent_hub_client" / "_models.py"
# FastAPI's own validation-error schemas never leave Agent Hub (errors use the envelope).
SKIP = {"HTTPValidationError", "ValidationError"}


def server_openapi() -> dict[str, Any]:
    """The OpenAPI document of the server package (must be importable)."""
    from agent_hub.app import create_app
    from agent_hub.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(docs_enabled=True, data_dir=Path(tmp), database_url=None, redis_url=None)
        return create_app(settings).openapi()


def class_name(raw: str) -> str:
    name = re.sub(r"[^0-9A-Za-z_]", "_", raw.split(".")[-1])
    parts = [p for p in name.split("_") if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
    if name[0].isdigit():
        name = "M" + name
    return name


class Generator:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.schemas: dict[str, Any] = {
            k: v for k, v in (doc.get("components", {}).get("schemas", {}) or {}).items() if k not in SKIP
        }
        self.names = {raw: class_name(raw) for raw in self.schemas}
        self.uses_literal = False

    def ref_name(self, ref: str) -> str:
        return self.names.get(ref.rsplit("/", 1)[-1], "dict[str, Any]")

    def type_of(self, schema: dict[str, Any] | bool) -> str:
        if schema is True or schema == {} or not isinstance(schema, dict):
            return "Any"
        if "$ref" in schema:
            return self.ref_name(schema["$ref"])
        for combo in ("anyOf", "oneOf"):
            if combo in schema:
                members = [self.type_of(s) for s in schema[combo]]
                return " | ".join(dict.fromkeys(members))
        if "allOf" in schema:
            parts = schema["allOf"]
            return self.type_of(parts[0]) if len(parts) == 1 else "dict[str, Any]"
        if "const" in schema:
            self.uses_literal = True
            return f"Literal[{schema['const']!r}]"
        if "enum" in schema:
            self.uses_literal = True
            return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(self.type_of({**schema, "type": k}) for k in kind)
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            return f"list[{self.type_of(schema.get('items', {}))}]"
        if kind == "object" or "properties" in schema or "additionalProperties" in schema:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return f"dict[str, {self.type_of(extra)}]"
            return "dict[str, Any]"
        return "Any"

    def fields(self, schema: dict[str, Any]) -> list[tuple[str, str, bool]]:
        required = set(schema.get("required", []))
        return [(f, self.type_of(s), f in required) for f, s in (schema.get("properties") or {}).items()]

    def render_class(self, raw: str, schema: dict[str, Any]) -> str:
        name = self.names[raw]
        fields = self.fields(schema)
        doc = (schema.get("description") or "").strip().splitlines()
        doc_line = doc[0].strip().replace('"""', "'") if doc else f"``{raw}`` in the OpenAPI document."
        if any(not f.isidentifier() or keyword.iskeyword(f) for f, _, _ in fields):
            body = ", ".join(f"{f!r}: {self.wrap(t, req)}" for f, t, req in fields)
            return f'{name} = TypedDict({name!r}, {{{body}}})\n"""{doc_line}"""\n'
        lines = [f"class {name}(TypedDict):", f'    """{doc_line}"""', ""]
        if not fields:
            lines = [f"class {name}(TypedDict, total=False):", f'    """{doc_line}"""']
        for f, t, req in fields:
            lines.append(f"    {f}: {self.wrap(t, req)}")
        return "\n".join(lines) + "\n"

    @staticmethod
    def wrap(type_: str, required: bool) -> str:
        return type_ if required else f"NotRequired[{type_}]"

    def operations(self) -> list[tuple[str, str, str, str | None]]:
        ops = []
        for path, item in sorted(self.doc.get("paths", {}).items()):
            for method, op in item.items():
                if method not in ("get", "post", "put", "patch", "delete", "head"):
                    continue
                model = None
                for status, resp in sorted(op.get("responses", {}).items()):
                    if status.startswith("2"):
                        schema = resp.get("content", {}).get("application/json", {}).get("schema", {})
                        if "$ref" in schema:
                            model = self.ref_name(schema["$ref"])
                        break
                op_id = op.get("operationId") or f"{method}_{path}"
                ops.append((op_id, method.upper(), path, model))
        return sorted(ops)

    def render(self) -> str:
        classes = []
        functional = []
        for raw in sorted(self.schemas, key=lambda r: self.names[r]):
            text = self.render_class(raw, self.schemas[raw])
            (functional if " = TypedDict(" in text else classes).append(text)
        ops = self.operations()
        exports = sorted([self.names[r] for r in self.schemas] + ["OPERATIONS", "Operation"])
        typing_names = ["Any", "NamedTuple", "NotRequired", "TypedDict"]
        if self.uses_literal:
            typing_names.insert(1, "Literal")
        info = self.doc.get("info", {})
        out = [
            '"""Response and request shapes of the Agent Hub API, as ``TypedDict``s.',
            "",
            "GENERATED by client/scripts/gen_models.py from the server's OpenAPI document",
            f"({info.get('title', 'API')} {info.get('version', '')}). Do not edit; regenerate.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            f"from typing import {', '.join(typing_names)}",
            "",
            "__all__ = [",
            *[f"    {n!r}," for n in exports],
            "]",
            "",
            "",
            "\n\n".join(classes + functional),
            "",
            "class Operation(NamedTuple):",
            '    """One API operation: HTTP method, path and the name of its 2xx response model."""',
            "",
            "    method: str",
            "    path: str",
            "    response: str | None",
            "",
            "",
            "OPERATIONS: dict[str, Operation] = {",
            *[f"    {op_id!r}: Operation({m!r}, {p!r}, {r!r})," for op_id, m, p, r in ops],
            "}",
            "",
        ]
        return "\n".join(out).replace("\n\n\n\n", "\n\n\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openapi", type=Path, help="read this OpenAPI JSON instead of importing the server")
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed models are stale")
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    doc = json.loads(args.openapi.read_text()) if args.openapi else server_openapi()
    text = Generator(doc).render()
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python client/scripts/gen_models.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
