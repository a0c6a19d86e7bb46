"""Issue 15 with the current SDK (2.x): the compact, portable schemas validate this SDK's results
(it checks structured_content against outputSchema), and toolsets on demand work with its defaults:
list -> enable notes -> tools/list_changed -> list again -> call a notes tool."""

from __future__ import annotations

import anyio
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.sdk2.client import sdk2_session

pytestmark = pytest.mark.e2e

META = {"nc_toolsets_list", "nc_toolsets_enable", "nc_toolsets_disable"}


async def test_sdk2_dynamic_toolsets(mcp_server, mint_token):
    server = mcp_server({"toolsets": {"dynamic": True}})
    changed = anyio.Event()

    async def on_message(message):
        if "ToolListChanged" in type(getattr(message, "root", message)).__name__ or \
                getattr(getattr(message, "root", message), "method", None) == "notifications/tools/list_changed":
            changed.set()

    headers = {"Authorization": f"Bearer {mint_token('alice')}"}
    async with create_mcp_http_client(headers=headers) as client:
        async with streamable_http_client(f"{server.url}/mcp", http_client=client) as streams:
            async with ClientSession(streams[0], streams[1], message_handler=on_message) as s:
                await s.initialize()
                assert {t.name for t in (await s.list_tools()).tools} == META
                enabled = await s.call_tool("nc_toolsets_enable", {"toolsets": ["notes"]})
                assert not enabled.is_error, enabled
                with anyio.fail_after(10):
                    await changed.wait()
                names = {t.name for t in (await s.list_tools()).tools}
                assert "nc_notes_get_note" in names and not any(n.startswith("nc_webdav") for n in names)
                note = await s.call_tool("nc_notes_get_note", {"note_id": 1})
                assert not note.is_error and note.structured_content["title"] == "Shopping"


async def test_sdk2_validates_compact_output_schemas(mcp_server, mint_token, nextcloud):
    nextcloud.set_apps(["notes", "deck"])
    server = mcp_server()
    async with sdk2_session(server.url, mint_token("alice")) as s:
        await s.list_tools()  # the SDK keeps the output schemas to validate results with
        for name, args in [("nc_unified_search", {"query": "plan"}),
                           ("nc_webdav_list_directory", {"path": "Documents"}),
                           ("deck_get_boards", {})]:
            result = await s.call_tool(name, args)
            assert not result.is_error, (name, result)
            assert isinstance(result.structured_content, dict), name
