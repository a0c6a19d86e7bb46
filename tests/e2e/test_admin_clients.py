"""Issue 14 §3: every snippet in docs/clients.md is checked: JSON parses and has the shape the
client expects, command lines use this server's real subcommands and environment variables,
the redirect URIs named for `occ oidc:create` are in the table; and the stdio setup they all
rely on (`nextcloud-mcp stdio` with NEXTCLOUD_HOST, NEXTCLOUD_USERNAME, NEXTCLOUD_PASSWORD and
no YAML file) really serves tools in basic mode."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.harness import server_binary
from tests.harness.processes import REPO

pytestmark = pytest.mark.e2e

DOC = REPO / "docs" / "clients.md"
CONFIG_DOC = (REPO / "docs" / "configuration.md").read_text()
# The environment variables configuration.md documents (the table under "environment overrides").
KNOWN_ENV = set(re.findall(r"^\| `(NEXTCLOUD_[A-Z_]+)` \|", CONFIG_DOC, re.M))


@dataclass
class Block:
    line: int
    lang: str
    marker: str | None
    text: str


def blocks() -> list[Block]:
    out: list[Block] = []
    lines = DOC.read_text().splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("```") and len(lines[i]) > 3:
            lang = lines[i][3:].strip()
            marker = None
            if i > 0 and (m := re.match(r"<!-- check: (.*) -->", lines[i - 1])):
                marker = m.group(1).strip()
            end = i + 1
            while not lines[end].startswith("```"):
                end += 1
            out.append(Block(i + 1, lang, marker, "\n".join(lines[i + 1:end])))
            i = end
        i += 1
    return out


BLOCKS = blocks()


def subcommands() -> set[str]:
    help_text = subprocess.run([str(server_binary()), "--help"], capture_output=True, text=True, timeout=30).stdout
    section = help_text.split("Commands:", 1)[1].split("Options:", 1)[0]
    return {line.split()[0] for line in section.splitlines() if line.strip() and line.split()[0] != "help"}


def check_binary_call(argv: list[str], where: str) -> None:
    assert Path(argv[0]).name == "nextcloud-mcp", f"{where}: runs {argv[0]!r}, not nextcloud-mcp"
    assert argv[1:] and argv[1] in subcommands(), f"{where}: unknown subcommand {argv[1:]!r}"


def check_env(names: list[str], where: str) -> None:
    unknown = set(names) - KNOWN_ENV
    assert not unknown, f"{where}: environment variables not in docs/configuration.md: {unknown}"


def test_every_snippet_is_marked_for_checking():
    assert KNOWN_ENV >= {"NEXTCLOUD_HOST", "NEXTCLOUD_USERNAME", "NEXTCLOUD_PASSWORD"}, KNOWN_ENV
    assert len(BLOCKS) >= 12
    unmarked = [b.line for b in BLOCKS if b.marker is None]
    assert not unmarked, f"docs/clients.md blocks without a check marker at lines {unmarked}"


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "json"], ids=lambda b: f"line{b.line}")
def test_json_snippets_parse_and_fit_the_client(block):
    root, kind = block.marker.split()[1:]
    doc = json.loads(block.text)
    servers = doc[root]
    assert list(servers) == ["nextcloud"], servers
    server = servers["nextcloud"]
    where = f"docs/clients.md:{block.line}"
    if kind == "stdio":
        check_binary_call([server["command"], *server["args"]], where)
        check_env(list(server["env"]), where)
        if root == "servers":
            assert server["type"] == "stdio"
            inputs = {i["id"] for i in doc.get("inputs", [])}
            for value in server["env"].values():
                for ref in re.findall(r"\$\{input:([^}]+)\}", value):
                    assert ref in inputs, f"{where}: ${{input:{ref}}} has no input"
    else:
        assert server["url"].endswith("/mcp"), server
        if root == "servers":
            assert server["type"] == "http"


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "sh"], ids=lambda b: f"line{b.line}")
def test_command_lines_match_our_cli(block, tmp_path):
    where = f"docs/clients.md:{block.line}"
    redirects = set(re.findall(r"`(https?://[^`]+|cursor://[^`]+)`", DOC.read_text()))
    for line in block.text.splitlines():
        argv = shlex.split(line)
        env = {}
        while argv and re.match(r"^[A-Z_]+=", argv[0]):
            key, _, value = argv.pop(0).partition("=")
            env[key] = value
        check_env(list(env), where)
        if Path(argv[0]).name == "nextcloud-mcp":
            check_binary_call(argv, where)
            # Runs as documented (check-config needs no network).
            clean = {k: v for k, v in os.environ.items() if not k.startswith("NEXTCLOUD_")}
            result = subprocess.run([str(server_binary()), *argv[1:]], env={**clean, **env}, cwd=tmp_path,
                                    capture_output=True, text=True, timeout=30)
            assert result.returncode == 0, f"{where}: {line}\n{result.stderr}"
            assert "mode: basic" in result.stdout and "listen: 127.0.0.1:8000" in result.stdout, result.stdout
        elif argv[:3] == ["claude", "mcp", "add"]:
            rest = argv[3:]
            if "--transport" in rest:
                assert rest[rest.index("--transport") + 1] == "http", where
                assert rest[-1].endswith("/mcp"), where
            else:
                names = [rest[i + 1].split("=")[0] for i, a in enumerate(rest) if a == "--env"]
                check_env(names, where)
                check_binary_call(rest[rest.index("--") + 1:], where)
        elif argv[:2] == ["npx", "@modelcontextprotocol/inspector"]:
            rest = argv[2:]
            if "--server-url" in rest:
                assert rest[rest.index("--transport") + 1] == "http", where
                assert rest[rest.index("--server-url") + 1].endswith("/mcp"), where
            else:
                names = [rest[i + 1].split("=")[0] for i, a in enumerate(rest) if a == "-e"]
                check_env(names, where)
                check_binary_call([a for i, a in enumerate(rest) if a != "-e" and (i == 0 or rest[i - 1] != "-e")],
                                  where)
        elif argv[:2] == ["occ", "oidc:create"]:
            assert argv[3] in redirects, f"{where}: {argv[3]} is not a redirect URI in the table"
            assert "--type=confidential" in argv
        else:
            raise AssertionError(f"{where}: unknown command {line!r}")


async def test_stdio_with_environment_only_serves_basic_mode(nextcloud, tmp_path):
    """What the Claude Desktop / VS Code / Cursor stdio snippets do, against the Nextcloud fake."""
    snippet = json.loads(next(b for b in BLOCKS if b.marker == "json mcpServers stdio").text)["mcpServers"]["nextcloud"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXTCLOUD_")}
    env.update(snippet["env"])
    env.update(NEXTCLOUD_HOST=nextcloud.url, NEXTCLOUD_USERNAME="alice", NEXTCLOUD_PASSWORD="alice-app-password")
    params = StdioServerParameters(command=str(server_binary()), args=snippet["args"], env=env, cwd=str(tmp_path))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            created = await session.call_tool("nc_notes_create_note",
                                              {"title": "from stdio", "content": "x", "category": ""})
            assert not created.isError, created
    assert not list(tmp_path.iterdir()), "stdio mode wrote files into the working directory"
