"""What the model sees (issue 15 §1, §2): every served input and output schema is plain JSON Schema
2020-12 that Ajv compiles in strict mode and Python's `jsonschema` accepts, with zero warnings; and
the size of `tools/list` (total, per tool, model-visible part) printed next to the reference
server's 505 KB for 182 tools."""

from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path

import jsonschema
import pytest

from tests.e2e.reliability_support import RawSession
from tests.harness.peers import node_binary
from tests.harness.processes import REPO

pytestmark = pytest.mark.e2e

AJV_LINT = REPO / "tests" / "peers" / "ajv" / "lint.mjs"
# The reference Python server: 182 tools, 505 KB of tools/list (issue 15).
REFERENCE_BYTES, REFERENCE_TOOLS = 505_000, 182


def compact(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def served_tools(server_url: str, token: str) -> tuple[list[dict], int]:
    """The tools of one tools/list answer and the size of its JSON-RPC result in bytes."""
    session = RawSession(server_url, token).open()
    try:
        msg = session.call("tools/list", {})
    finally:
        session.http.close()
    return msg["result"]["tools"], compact(msg["result"])


def test_every_schema_compiles_strict_with_ajv_and_jsonschema(mcp_server, mint_token, tmp_path: Path):
    server = mcp_server()
    tools, _ = served_tools(server.url, mint_token("alice"))
    assert len(tools) > 50, "expected the full default tool list"

    # Ajv 2020 with strict: true (+ ajv-formats for the standard formats), as MCP Inspector does.
    dump = tmp_path / "tools.json"
    dump.write_text(json.dumps({"tools": tools}))
    if not (AJV_LINT.parent / "node_modules" / "ajv").exists():
        pytest.fail("tests/peers/ajv is not installed: run scripts/install-test-deps.sh")
    run = subprocess.run([node_binary(), str(AJV_LINT), str(dump)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"Ajv strict found problems:\n{run.stdout}{run.stderr}"
    assert f"compiled {2 * len(tools)} schemas" in run.stdout, run.stdout

    # Python jsonschema: a valid 2020-12 metaschema instance, only standard formats, no warnings.
    known_formats = set(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)
    problems = []
    for tool in tools:
        for key in ("inputSchema", "outputSchema"):
            schema = tool.get(key)
            assert schema is not None, f"{tool['name']} has no {key}"
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    jsonschema.Draft202012Validator.check_schema(schema)
                    jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)(schema)
                except jsonschema.SchemaError as err:
                    problems.append(f"{tool['name']}.{key}: {err.message}")
            problems += [f"{tool['name']}.{key}: warning {w.message}" for w in caught
                         if not issubclass(w.category, ResourceWarning)]
            for fmt in _formats(schema) - known_formats:
                problems.append(f"{tool['name']}.{key}: non-standard format {fmt!r}")
            for path in _bare_true(schema, "#"):
                problems.append(f"{tool['name']}.{key}: bare `true` schema at {path}")
        for name, prop in tool["inputSchema"].get("properties", {}).items():
            kind = prop.get("type")
            if isinstance(kind, list) and "null" in kind:
                problems.append(f"{tool['name']}: argument {name} is nullable; optional means not required")
    assert not problems, "\n".join(problems)


def _formats(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            found.add(node["format"])
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples"):
                found |= _formats(value)
    elif isinstance(node, list):
        for value in node:
            found |= _formats(value)
    return found


SUBSCHEMA_KEYS = {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
                  "unevaluatedItems", "unevaluatedProperties"}
SUBSCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}


def _bare_true(node: object, path: str) -> list[str]:
    """Paths of boolean `true` used as a schema (a sub-schema keyword or a property's schema)."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SUBSCHEMA_KEYS:
                out += [f"{path}/{key}"] if value is True else _bare_true(value, f"{path}/{key}")
            elif key in SUBSCHEMA_MAPS and isinstance(value, dict):
                for name, sub in value.items():
                    out += [f"{path}/{key}/{name}"] if sub is True else _bare_true(sub, f"{path}/{key}/{name}")
            elif key in ("allOf", "anyOf", "oneOf", "prefixItems") and isinstance(value, list):
                for i, sub in enumerate(value):
                    out += [f"{path}/{key}/{i}"] if sub is True else _bare_true(sub, f"{path}/{key}/{i}")
    return out


def test_tool_list_sizes_are_printed_next_to_the_reference(mcp_server, mint_token, capsys):
    server = mcp_server()
    tools, total = served_tools(server.url, mint_token("alice"))
    lean = mcp_server({"toolsets": {"output_schemas": False}})
    lean_tools, lean_total = served_tools(lean.url, mint_token("alice"))

    rows = []
    for tool in tools:
        visible = len(tool["name"].encode()) + len(tool.get("description", "").encode()) + compact(tool["inputSchema"])
        rows.append((tool["name"], compact(tool), visible, compact(tool.get("outputSchema", {}))))
    count = len(tools)
    visible_total = sum(r[2] for r in rows)
    reference_same_count = REFERENCE_BYTES / REFERENCE_TOOLS * count
    lines = [
        f"tools/list: {count} tools, {total} bytes ({total / count:.0f} B/tool)",
        f"  reference average for {count} tools: {reference_same_count:.0f} bytes "
        f"({REFERENCE_BYTES / REFERENCE_TOOLS:.0f} B/tool); ours = {100 * total / reference_same_count:.0f} %",
        f"  model-visible (name + description + input schema): {visible_total} bytes, {visible_total / count:.0f} B/tool",
        f"  output schemas: {sum(r[3] for r in rows)} bytes",
        f"  toolsets.output_schemas: false -> {lean_total} bytes ({lean_total / count:.0f} B/tool, "
        f"{100 * lean_total / reference_same_count:.0f} % of the reference)",
        "  largest tools (bytes total / model-visible / output schema):",
    ]
    for name, size, visible, output in sorted(rows, key=lambda r: -r[1])[:10]:
        lines.append(f"    {name:40} {size:6} {visible:6} {output:6}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))

    assert all("outputSchema" not in t for t in lean_tools), "output_schemas: false still serves output schemas"
    assert len(lean_tools) == count
    assert lean_total < total
    # Goal of issue 15 §2: at most 600 bytes per tool of what the model reads.
    assert visible_total / count <= 600, lines[2]
    for tool in tools:
        assert len(tool.get("description", "")) >= 15, f"{tool['name']}: description too thin to choose by"
