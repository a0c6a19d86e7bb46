"""Fixtures of the calendar and contacts suites: a real Radicale (tests/peers/radicale) and one
nextcloud-mcp server in basic mode pointed at it, both started once per session, plus a
`call(tool, args)` helper going through the official MCP SDK."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import DELETE, mcp_session
from tests.harness.processes import ManagedProcess, tail
from tests.harness.server import McpServer, new_server

USERS = {"alice": "secret-alice", "bob": "secret-bob"}
BIG_EVENTS = 2000


def basic_config(url: str, user: str = "alice", extra: dict[str, Any] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "nextcloud": {"url": url, "timeout": 60},
        "auth": {"mode": "basic", "basic": {"username": user, "password": USERS.get(user, "")}, "oauth": DELETE},
        "toolsets": {"calendar": {"bulk_max": 5}},
    }
    for key, value in (extra or {}).items():
        config[key] = value
    return config


def seed_big_calendar(root: Path) -> None:
    """2,000 events in one January 2027 calendar, written straight into Radicale's storage."""
    folder = root / "collections" / "collection-root" / "alice" / "big"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".Radicale.props").write_text(json.dumps(
        {"tag": "VCALENDAR", "D:displayname": "Big", "C:supported-calendar-component-set": "VEVENT,VTODO"}))
    for n in range(BIG_EVENTS):
        day, slot = 1 + n % 31, n // 31
        (folder / f"big-{n:04d}.ics").write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//seed//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:big-{n:04d}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:202701{day:02d}T{slot % 24:02d}{(slot // 24) * 10:02d}00Z\r\nDURATION:PT5M\r\n"
            f"SUMMARY:Bulk event {n:04d}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("radicale")
    seed_big_calendar(root)
    users = ",".join(f"{u}:{p}" for u, p in USERS.items())
    proc = ManagedProcess("radicale", [sys.executable, "-m", "tests.peers.radicale.server", "--dir", str(root),
                                       "--users", users], root / "radicale.log")
    url = proc.start(timeout=30)
    # Radicale parses and caches every item on first use; warm the 2,000-event calendar once.
    httpx.request("PROPFIND", f"{url}/remote.php/dav/alice/", auth=("alice", USERS["alice"]),
                  headers={"Depth": "1"}, timeout=300)
    try:
        yield url
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def dav_server(radicale: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpServer]:
    workdir = tmp_path_factory.mktemp("dav-server")
    server = new_server(basic_config(radicale), fake_url=radicale, discovery_url="http://127.0.0.1:9/unused",
                        workdir=workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Result:
    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.is_error = bool(raw.isError)
        self.data: dict[str, Any] = raw.structuredContent or {}
        self.text = " ".join(getattr(c, "text", "") for c in raw.content)

    def __repr__(self) -> str:
        return f"Result(is_error={self.is_error}, data={json.dumps(self.data)[:800]}, text={self.text[:500]})"


async def call(url: str, tool: str, args: dict[str, Any] | None = None) -> Result:
    async with mcp_session(url, timeout=60) as session:
        return Result(await session.call_tool(tool, args or {}))


async def ok(url: str, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await call(url, tool, args)
    assert not result.is_error, result
    return result.data


async def fails(url: str, tool: str, args: dict[str, Any], *needles: str) -> str:
    result = await call(url, tool, args)
    assert result.is_error, result
    for needle in needles:
        assert needle.lower() in result.text.lower(), result.text
    return result.text


def dump_log(server: McpServer) -> str:
    return tail(server.log_text(), 80)
