"""Shared helpers of the toolset e2e suites: one server per auth mode per module, and tool calls
returning (structuredContent, isError, text)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.harness import DELETE, McpServer, mcp_session
from tests.harness.server import new_server

MODES = ["oauth", "basic"]
BASIC = {"auth": {"mode": "basic", "basic": {"username": "alice", "password": "alice-app-password"}, "oauth": DELETE}}


def start_servers(nextcloud: Any, oidc_peer: Any, tmp_path_factory: Any, extra: dict | None = None) -> dict[str, McpServer]:
    servers = {}
    for mode in MODES:
        config = dict(extra or {})
        if mode == "basic":
            config.update(BASIC)
        server = new_server(config, fake_url=nextcloud.url, discovery_url=oidc_peer.discovery_url,
                            workdir=tmp_path_factory.mktemp(f"server-{mode}"))
        server.start()
        servers[mode] = server
    return servers


def fake_state(nextcloud: Any, app: str) -> dict[str, Any]:
    """What the contract fake of `app` holds now (`/__fake/<app>/state`)."""
    return nextcloud.http.get(f"{nextcloud.url}/__fake/{app}/state").json()


@asynccontextmanager
async def session_for(servers: dict[str, McpServer], mode: str, oidc_peer: Any, user: str = "alice") -> AsyncIterator[Any]:
    token = oidc_peer.mint(user) if mode == "oauth" else None
    async with mcp_session(servers[mode].url, token) as session:
        yield session


async def served_tools(session: Any, prefix: str, expected: set[str]) -> dict[str, Any]:
    """The tools whose names start with `prefix`, checked: exactly `expected`, every annotation hint set
    explicitly, an output schema, and a description on every argument."""
    tools = {t.name: t for t in (await session.list_tools()).tools if t.name.startswith(prefix)}
    assert set(tools) == expected, set(tools) ^ expected
    for name, tool in tools.items():
        a = tool.annotations
        assert None not in (a.readOnlyHint, a.destructiveHint, a.idempotentHint, a.openWorldHint), name
        assert tool.outputSchema, name
        for prop, schema in tool.inputSchema.get("properties", {}).items():
            assert schema.get("description") or "$ref" in schema or "anyOf" in schema, (name, prop)
    return tools


async def call(session: Any, name: str, args: dict | None = None) -> tuple[dict | None, bool, str]:
    result = await session.call_tool(name, args or {})
    text = "\n".join(getattr(c, "text", "") for c in result.content)
    return result.structuredContent, bool(result.isError), text


async def ok(session: Any, name: str, args: dict | None = None) -> dict:
    data, is_error, text = await call(session, name, args)
    assert not is_error, f"{name} failed: {text}"
    assert isinstance(data, dict), f"{name}: no structuredContent: {text[:300]}"
    return data


async def fails(session: Any, name: str, args: dict | None = None, *needles: str) -> str:
    _, is_error, text = await call(session, name, args)
    assert is_error, f"{name} should have failed: {text[:300]}"
    for needle in needles:
        assert needle.lower() in text.lower(), f"{name}: {needle!r} not in {text!r}"
    return text
