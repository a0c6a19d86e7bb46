"""What a client built on the current official MCP SDK (2.x) sees, with that SDK's own defaults.

scripts/test.sh runs this folder with .venv-sdk2 (tests/requirements-sdk2.txt); the rest of the
suite runs with the pinned SDK 1.x. Helpers for SDK 2 clients live in tests/sdk2/client.py."""

from __future__ import annotations

import importlib.metadata

import pytest

from tests.sdk2.client import sdk2_session

pytestmark = pytest.mark.e2e


def test_runs_with_sdk_2x():
    assert importlib.metadata.version("mcp").startswith("2."), "run tests/sdk2 with .venv-sdk2"


@pytest.mark.parametrize("transport", ["streamable", "sse"])
async def test_sdk2_client_lists_and_calls_tools(transport, mcp_server, mint_token):
    server = mcp_server()
    token = mint_token("alice")
    async with sdk2_session(server.url, token, transport=transport) as session:
        tools = (await session.list_tools()).tools
        assert "nc_notes_create_note" in {t.name for t in tools}
        created = await session.call_tool("nc_notes_create_note",
                                          {"title": "SDK 2", "content": "from the current SDK", "category": ""})
        assert not created.is_error, created
        note = await session.call_tool("nc_notes_get_note", {"note_id": created.structured_content["id"]})
        assert not note.is_error and note.structured_content["content"] == "from the current SDK"
