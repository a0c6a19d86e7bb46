"""Service core (issue 2): the official Python MCP SDK as client over stateful streamable HTTP,
stateless streamable HTTP and legacy HTTP+SSE: initialize, list tools, read nc://capabilities as the
token's user."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

TRANSPORTS = [
    pytest.param("streamable", True, id="streamable-stateful"),
    pytest.param("streamable", False, id="streamable-stateless"),
    pytest.param("sse", True, id="legacy-sse"),
]


def find_capabilities(doc: Any) -> dict:
    """The `capabilities` object of an OCS capabilities answer (whole envelope or its data)."""
    if isinstance(doc, dict):
        if isinstance(doc.get("capabilities"), dict):
            return doc["capabilities"]
        for key in ("ocs", "data"):
            if key in doc:
                return find_capabilities(doc[key])
    raise AssertionError(f"no capabilities object in {json.dumps(doc)[:500]}")


@pytest.mark.parametrize(("transport", "stateful"), TRANSPORTS)
async def test_initialize_list_tools_and_read_capabilities(mcp_server, mint_token, nextcloud, transport, stateful):
    server = mcp_server({"server": {"stateful": stateful}})
    user = "carol"  # a user no other request of this test uses
    token = mint_token(user)

    async with mcp_session(server.url, token, transport=transport) as session:
        init = session.initialize_result
        assert init.serverInfo.name
        assert init.capabilities.resources is not None, "server does not announce resources"
        if transport == "streamable":
            if stateful:
                assert session.mcp_session_id(), "stateful streamable HTTP without Mcp-Session-Id"
            else:
                assert session.mcp_session_id() is None, "stateless streamable HTTP returned an Mcp-Session-Id"

        tools = await session.list_tools()
        assert isinstance(tools.tools, list)
        for tool in tools.tools:
            assert tool.name and tool.inputSchema

        resources = await session.list_resources()
        assert "nc://capabilities" in [str(r.uri) for r in resources.resources]

        result = await session.read_resource("nc://capabilities")
        assert len(result.contents) == 1
        content = result.contents[0]
        assert str(content.uri) == "nc://capabilities"
        caps = find_capabilities(json.loads(content.text))
        # What the fake serves (ocs/GET_v2_cloud_capabilities.json + enabled apps).
        assert caps["core"]["webdav-root"] == "remote.php/webdav"
        assert caps["notes"]["api_version"] == ["0.2", "1.0"]

    # Read as the token's user, with the bearer token, through OCS.
    stats = nextcloud.stats()
    calls = stats["user_routes"].get(user, {})
    assert any(route.endswith("/cloud/capabilities") for route in calls), stats
    assert set(stats["users"]) == {user}, stats
    assert stats["auth"].get("basic_ok", 0) == 0
