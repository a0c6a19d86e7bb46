"""The values table of charts/nextcloud-mcp/README.md, generated from values.yaml: one row per
value (key path, default, the comment written above it). `config:` is one row, since
docs/configuration.md describes the server's configuration key by key.

    python tests/deploy/chart_readme.py          # prints the table
    python tests/deploy/chart_readme.py --write  # rewrites the table in the README

chart_checks.py fails when the README's table differs from what this prints."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tap import CHART  # noqa: E402

README = CHART / "README.md"
START, END = "<!-- values:start -->", "<!-- values:end -->"
# Described elsewhere, key by key: one row each.
SUMMARIZED = {"config": "The server's configuration file, key for key (docs/configuration.md); the chart fills in "
                        "`server.public_url`, `server.allowed_hosts`, the `*_file` secret paths and the registration "
                        "redirect URI (docs/deployment.md)."}


def rows(values_text: str) -> list[tuple[str, str, str]]:
    """(key path, default as JSON, description) for every leaf of values.yaml, in file order."""
    values = yaml.safe_load(values_text)
    out: list[tuple[str, str, str]] = []
    stack: list[tuple[int, str]] = []  # (indent, key) of the open mappings
    comment: list[str] = []
    skip_under: set[str] = set()
    for line in values_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
            continue
        m = re.match(r"^( *)([A-Za-z0-9_./-]+):(.*)$", line)
        if not m:
            comment = []
            continue
        indent, key = len(m.group(1)), m.group(2)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = [k for _, k in stack] + [key]
        value = _lookup(values, path)
        if path[0] in SUMMARIZED:
            if len(path) == 1:
                out.append(("config", "see docs/configuration.md", SUMMARIZED["config"]))
            comment = []
            stack.append((indent, key))
            continue
        # A mapping of free-form keys (labels, selectors) is one value; others are sections.
        if isinstance(value, dict) and value and all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", k) for k in value):
            if comment:
                out.append((".".join(path), "", " ".join(comment)))
            stack.append((indent, key))
            comment = []
            continue
        out.append((".".join(path), json.dumps(value), " ".join(comment)))
        comment = []
        if isinstance(value, dict) and value:  # free-form mapping: its lines are not keys of ours
            stack.append((indent, key))
            skip_under.add(".".join(path))
    return [row for row in out if not any(row[0].startswith(p + ".") for p in skip_under)]


def _lookup(values: dict, path: list[str]):
    for key in path:
        values = values[key]
    return values


def table() -> str:
    lines = ["| Value | Default | Description |", "|---|---|---|"]
    for key, default, description in rows((CHART / "values.yaml").read_text()):
        cell = description.replace("|", "\\|")
        lines.append(f"| `{key}` | {f'`{default}`' if default else ''} | {cell} |")
    return "\n".join(lines) + "\n"


def readme_with_table(readme: str) -> str:
    head, _, rest = readme.partition(START + "\n")
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table()}{END}{tail}"


def main() -> int:
    if sys.argv[1:] == ["--write"]:
        README.write_text(readme_with_table(README.read_text()))
    else:
        print(table(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
