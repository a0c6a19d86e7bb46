"""Issue 14 §2: the README's first command, `scripts/demo.sh`, starts the Nextcloud fake seeded
with demo content and the server in basic mode on 127.0.0.1, prints the MCP URL and client
commands, and a real MCP client can call tools through it. The fresh-machine variant runs the
fake on a Python without site-packages, so the demo's own wheel bootstrap is what makes it work."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.harness import free_port, mcp_session, server_binary
from tests.harness.processes import REPO

pytestmark = pytest.mark.e2e


def start_demo(workdir: Path, python: str) -> tuple[subprocess.Popen[str], str, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXTCLOUD_")}
    env.update(NEXTCLOUD_MCP_BIN=str(server_binary()), DEMO_PORT=str(port), DEMO_WORKDIR=str(workdir),
               DEMO_PYTHON=python)
    env.pop("PYTHONPATH", None)
    demo = subprocess.Popen([str(REPO / "scripts" / "demo.sh")], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert demo.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        line = demo.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Then ask:"):
            return demo, "".join(lines), f"http://127.0.0.1:{port}"
    stop(demo)
    raise AssertionError("demo did not come up:\n" + "".join(lines))


def stop(demo: subprocess.Popen[str]) -> None:
    if demo.poll() is None:
        os.killpg(demo.pid, signal.SIGTERM)
        try:
            demo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)


async def check_demo(output: str, base: str) -> None:
    mcp = f"{base}/mcp"
    assert f"MCP endpoint   {mcp}" in output, output
    assert f"npx @modelcontextprotocol/inspector --transport http --server-url {mcp}" in output, output
    assert f"claude mcp add --transport http nextcloud-demo {mcp}" in output, output
    async with mcp_session(base) as session:
        notes = await session.call_tool("nc_notes_search_notes", {"query": "demo"})
        assert not notes.isError, notes
        assert "Welcome to the demo" in str(notes.structuredContent or notes.content)
        boards = await session.call_tool("deck_get_boards", {})
        assert not boards.isError, boards
        assert "Demo board" in str(boards.structuredContent or boards.content)
        calendars = await session.call_tool("nc_calendar_list_calendars", {})
        assert "Personal" in str(calendars.structuredContent or calendars.content)
        events = await session.call_tool("nc_calendar_list_events", {"calendar_name": "personal"})
        assert not events.isError, events
        assert "Demo review" in str(events.structuredContent) and "Sprint planning" in str(events.structuredContent)
        todos = await session.call_tool("nc_calendar_list_todos", {"calendar_name": "personal"})
        assert "Write the demo feedback" in str(todos.structuredContent or todos.content), todos
        contacts = await session.call_tool("nc_contacts_list_contacts", {"addressbook": "contacts"})
        assert "Bob Demo" in str(contacts.structuredContent or contacts.content), contacts
        files = await session.call_tool("nc_webdav_list_directory", {"path": "Documents"})
        assert "budget.csv" in str(files.structuredContent or files.content)


def test_demo_sh_is_the_first_readme_command():
    readme = (REPO / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block, "README has no sh block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands[:2] == ["scripts/demo.sh", "scripts/test.sh"], commands


async def test_demo_serves_seeded_nextcloud_to_an_mcp_client(tmp_path):
    demo, output, base = start_demo(tmp_path / "demo", sys.executable)
    try:
        await check_demo(output, base)
        config = (tmp_path / "demo" / "nextcloud-mcp.yaml").read_text()
        assert "listen: 127.0.0.1:" in config and "mode: basic" in config
    finally:
        stop(demo)
    assert demo.returncode is not None


async def test_demo_works_with_a_python_without_packages(tmp_path):
    """`python3 -S` sees no site-packages: starlette, uvicorn and httpx come from the demo's bootstrap."""
    python = shutil.which("python3") or sys.executable
    probe = subprocess.run([python, "-S", "-c", "import starlette"], capture_output=True)
    assert probe.returncode != 0, "python3 -S still imports starlette; the test would not test the bootstrap"
    demo, output, base = start_demo(tmp_path / "demo", f"{python} -S")
    try:
        await check_demo(output, base)
        assert (tmp_path / "demo" / "site" / "starlette").is_dir()
    finally:
        stop(demo)
