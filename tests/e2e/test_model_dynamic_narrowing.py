"""Toolsets on demand and per-request narrowing (issue 15 §3, §5): with `toolsets.dynamic: true` a session
starts with the meta-tools only; enabling `notes` makes the notes tools appear after
notifications/tools/list_changed, per session; X-MCP-Toolsets / X-MCP-Readonly / X-MCP-Tools narrow what one
request sees and may call (stateful and stateless), never widen it, and unknown names are errors naming them."""

from __future__ import annotations

import subprocess

import anyio
import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.e2e.reliability_support import RawSession
from tests.e2e.toolkit import ok
from tests.harness import mcp_session
from tests.harness.server import server_binary

pytestmark = pytest.mark.e2e

META = {"nc_toolsets_list", "nc_toolsets_enable", "nc_toolsets_disable"}


async def test_dynamic_session_enables_notes_on_demand(mcp_server, mint_token, nextcloud):
    server = mcp_server({"toolsets": {"dynamic": True}})
    changed = anyio.Event()

    async def on_message(message):
        if getattr(getattr(message, "root", None), "method", None) == "notifications/tools/list_changed":
            changed.set()

    token = mint_token("alice")
    client = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}, timeout=httpx.Timeout(20, read=60))
    async with client, streamable_http_client(f"{server.url}/mcp", http_client=client) as (read, write, _):
        async with ClientSession(read, write, message_handler=on_message) as s:
            init = await s.initialize()
            assert init.capabilities.tools is not None and init.capabilities.tools.listChanged is True

            first = {t.name for t in (await s.list_tools()).tools}
            assert first == META, first

            listed = await ok(s, "nc_toolsets_list")
            names = {t["name"]: t for t in listed["toolsets"]}
            assert {"notes", "files", "calendar", "search"} <= set(names)
            assert names["notes"]["enabled"] is False and names["notes"]["tools"] >= 5
            assert all(t["summary"] for t in listed["toolsets"])

            refused = await s.call_tool("nc_notes_get_note", {"note_id": 1})
            assert refused.isError and "nc_toolsets_enable" in refused.content[0].text

            enabled = await ok(s, "nc_toolsets_enable", {"toolsets": ["notes"]})
            assert {t["name"]: t["enabled"] for t in enabled["toolsets"]}["notes"] is True
            with anyio.fail_after(10):
                await changed.wait()

            second = {t.name for t in (await s.list_tools()).tools}
            assert META < second
            assert {n for n in second - META} and all(n.startswith("nc_notes_") for n in second - META), second
            note = await ok(s, "nc_notes_get_note", {"note_id": 1})
            assert note["title"] == "Shopping"

            bad = await s.call_tool("nc_toolsets_enable", {"toolsets": ["notes", "bogus"]})
            assert bad.isError and "bogus" in bad.content[0].text

            await ok(s, "nc_toolsets_disable", {"toolsets": ["notes"]})
            assert {t.name for t in (await s.list_tools()).tools} == META

    # Per session: a second session starts with the meta-tools only.
    async with mcp_session(server.url, mint_token("alice")) as other:
        assert {t.name for t in (await other.list_tools()).tools} == META


async def test_dynamic_mode_cannot_exceed_the_config(mcp_server, mint_token, nextcloud):
    server = mcp_server({"toolsets": {"dynamic": True, "enabled": ["notes"], "read_only": True}})
    async with mcp_session(server.url, mint_token("alice")) as s:
        listed = await ok(s, "nc_toolsets_list")
        assert [t["name"] for t in listed["toolsets"]] == ["notes"]
        refused = await s.call_tool("nc_toolsets_enable", {"toolsets": ["files"]})
        assert refused.isError and "files" in refused.content[0].text
        await ok(s, "nc_toolsets_enable", {"toolsets": ["notes"]})
        tools = (await s.list_tools()).tools
        notes_tools = [t for t in tools if t.name not in META]
        assert notes_tools and all(t.annotations.readOnlyHint for t in notes_tools)


def test_stateless_dynamic_is_refused_by_check_config(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "nextcloud:\n  url: http://127.0.0.1:9\n"
        "auth:\n  mode: basic\n  basic:\n    username: alice\n    password: pw\n"
        "server:\n  stateful: false\ntoolsets:\n  dynamic: true\n")
    result = subprocess.run([str(server_binary()), "check-config", "--config", str(config)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "toolsets.dynamic" in result.stderr + result.stdout


@pytest.mark.parametrize("stateful", [True, False], ids=["stateful", "stateless"])
def test_headers_narrow_what_one_request_sees_and_calls(mcp_server, mint_token, nextcloud, stateful):
    server = mcp_server({"server": {"stateful": stateful}})
    session = RawSession(server.url, mint_token("alice")).open()
    everything = set(session.tools())
    assert "nc_webdav_write_file" in everything and "nc_notes_get_note" in everything

    msg = session.call("tools/list", {}, extra={"X-MCP-Toolsets": "notes,search", "X-MCP-Readonly": "true"})
    narrowed = {t["name"]: t for t in msg["result"]["tools"]}
    assert narrowed and set(narrowed) < everything
    assert all(n.startswith("nc_notes_") or n == "nc_unified_search" for n in narrowed)
    assert all(t["annotations"]["readOnlyHint"] for t in narrowed.values())

    msg = session.call("tools/list", {}, extra={"X-MCP-Tools": "nc_notes_get_note, nc_webdav_read_file"})
    assert {t["name"] for t in msg["result"]["tools"]} == {"nc_notes_get_note", "nc_webdav_read_file"}

    # A call outside the narrowing is refused and reaches no Nextcloud API.
    nextcloud.reset_stats()
    refused = session.tool("nc_notes_create_note", {"title": "x", "content": "y", "category": ""},
                           extra={"X-MCP-Readonly": "true"})
    assert refused["result"]["isError"] and "X-MCP" in refused["result"]["content"][0]["text"]
    assert not any("/apps/notes" in r for r in nextcloud.stats()["routes"]), nextcloud.stats()["routes"]
    allowed = session.tool("nc_notes_get_note", {"note_id": 1}, extra={"X-MCP-Toolsets": "notes"})
    assert not allowed["result"].get("isError"), allowed

    # Unknown names are errors naming them.
    msg = session.call("tools/list", {}, extra={"X-MCP-Toolsets": "notes,bogus"})
    assert "error" in msg and "bogus" in msg["error"]["message"]
    msg = session.call("tools/list", {}, extra={"X-MCP-Tools": "nc_notes_get_note,nc_nope"})
    assert "error" in msg and "nc_nope" in msg["error"]["message"]


def test_headers_never_widen_the_config(mcp_server, mint_token, nextcloud):
    server = mcp_server({"toolsets": {"enabled": ["notes"]}})
    session = RawSession(server.url, mint_token("alice")).open()
    msg = session.call("tools/list", {}, extra={"X-MCP-Toolsets": "notes,files", "X-MCP-Tools": "nc_webdav_read_file"})
    assert msg["result"]["tools"] == []
    call = session.tool("nc_webdav_read_file", {"path": "Documents/report.pdf"}, extra={"X-MCP-Toolsets": "files"})
    assert "error" in call or call["result"].get("isError"), call
