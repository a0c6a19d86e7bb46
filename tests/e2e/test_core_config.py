"""Service core (issue 2): `nextcloud-mcp check-config`: every example under config/ passes, and each
kind of bad config (unknown key, wrong type, missing value) yields an error naming the key path and
the line."""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.harness import server_binary
from tests.harness.processes import REPO

pytestmark = pytest.mark.e2e

EXAMPLES = sorted((REPO / "config").glob("*.y*ml"))


def check_config(path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    binary = server_binary()
    if not binary.exists():
        pytest.fail(f"server binary {binary} not found: build it with `cargo build`")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("NEXTCLOUD_")}
    return subprocess.run([str(binary), "check-config", "--config", str(path)], capture_output=True, text=True,
                          env={**base_env, **(env or {})}, timeout=60, cwd=path.parent)


def test_there_are_example_configs():
    assert EXAMPLES, "no example config under config/"


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_config_passes_check_config(example):
    result = check_config(example)
    assert result.returncode == 0, f"{example.name}:\n{result.stdout}\n{result.stderr}"
    assert (result.stdout + result.stderr).strip(), "check-config printed no effective config"


# A valid config; each bad variant changes one thing. Line numbers below refer to this text.
VALID = textwrap.dedent("""\
    server:
      listen: "127.0.0.1:8765"
      public_url: "http://127.0.0.1:8765"
      stateful: true
    nextcloud:
      url: "http://127.0.0.1:8766"
      timeout: 30
    auth:
      mode: oauth
      oauth:
        discovery_url: "http://127.0.0.1:8767/.well-known/openid-configuration"
        client:
          registration:
            storage_path: "{storage}"
            redirect_uris: ["http://127.0.0.1:8765/oauth/callback"]
        validation:
          methods: [userinfo]
          cache_ttl: 600
    logging:
      level: info
    """)


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in config")


def mentions_line(output: str, lines: range) -> bool:
    """`line 12`, `line: 12` or `12:5` (line:column) naming one of `lines`."""
    numbers: set[int] = set()
    for groups in re.findall(r"\bline\s*:?\s*(\d+)|\b(\d+):\d+\b", output, re.I):
        numbers.update(int(g) for g in groups if g)
    return bool(numbers & set(lines))


def names_key(output: str, key_path: str) -> bool:
    """The full dotted path, or the parent's path plus the missing/unknown leaf (`auth.basic: missing field username`)."""
    if key_path in output:
        return True
    parent, _, leaf = key_path.rpartition(".")
    return bool(parent) and parent in output and re.search(rf"\b{re.escape(leaf)}\b", output) is not None


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "nextcloud-mcp.yaml"
    path.write_text(text.replace("{storage}", str(tmp_path / "oauth-client.json")))
    return path


def test_the_base_of_the_bad_configs_is_valid(tmp_path):
    result = check_config(write(tmp_path, VALID))
    assert result.returncode == 0, result.stdout + result.stderr


BAD = [
    pytest.param(
        VALID.replace("      cache_ttl: 600\n", "      cache_ttl: 600\n      cache_tll: 60\n"),
        "auth.oauth.validation.cache_tll", "cache_tll:", None, id="unknown-key"),
    pytest.param(
        VALID.replace("  stateful: true\n", "  stateful: sometimes\n"),
        "server.stateful", "stateful: sometimes", None, id="wrong-type"),
    pytest.param(
        VALID.replace("  timeout: 30\n", "  timeout: thirty\n"),
        "nextcloud.timeout", "timeout: thirty", None, id="wrong-type-number"),
    pytest.param(
        VALID.replace('  url: "http://127.0.0.1:8766"\n', ""),
        "nextcloud.url", "nextcloud:", "  timeout: 30", id="missing-value"),
    pytest.param(
        VALID.replace("  mode: oauth\n", "  mode: basic\n  basic:\n    password: app-password\n"),
        "auth.basic.username", "  basic:", "    password: app-password", id="missing-value-basic-username"),
]


@pytest.mark.parametrize(("text", "key_path", "line_needle", "block_end"), BAD)
def test_bad_config_names_key_path_and_line(tmp_path, text, key_path, line_needle, block_end):
    result = check_config(write(tmp_path, text))
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"accepted a bad config:\n{output}"
    assert names_key(output, key_path), f"error does not name {key_path}:\n{output}"
    first = line_of(text, line_needle)
    last = line_of(text, block_end) if block_end else first
    assert mentions_line(output, range(first, last + 1)), f"error does not name line {first}..{last}:\n{output}"
