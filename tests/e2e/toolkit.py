"""Helpers for toolset e2e tests: start a server as an OAuth or basic-mode user, call tools, check results."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from tests.harness import mcp_session
from tests.harness.server import DELETE

BASIC = {"auth": {"mode": "basic", "oauth": DELETE,
                  "basic": {"username": "alice", "password": "alice-app-password"}}}


def merge(*configs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for config in configs:
        for key, value in config.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = value
    return out


@contextlib.asynccontextmanager
async def session_as(mode: str, mcp_server, mint_token, config: dict[str, Any] | None = None,
                     nextcloud_url: str | None = None) -> AsyncIterator[Any]:
    """An MCP session acting as alice: `mode` "oauth" (bearer token) or "basic" (app password)."""
    extra = config or {}
    if nextcloud_url:
        extra = merge(extra, {"nextcloud": {"url": nextcloud_url}})
    if mode == "basic":
        server = mcp_server(merge(BASIC, extra))
        token = None
    else:
        server = mcp_server(extra)
        token = mint_token("alice")
    async with mcp_session(server.url, token) as session:
        yield session


def text_of(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") or "" for c in result.content)


async def ok(session, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Calls a tool that must succeed; returns its structuredContent."""
    result = await session.call_tool(name, args or {})
    assert not result.isError, f"{name}({args}) failed: {text_of(result)}"
    assert isinstance(result.structuredContent, dict), f"{name}: no structured content"
    return result.structuredContent


async def fails(session, name: str, args: dict[str, Any] | None = None, *needles: str) -> str:
    """Calls a tool that must fail with isError; returns the message, which must contain every needle."""
    result = await session.call_tool(name, args or {})
    message = text_of(result)
    assert result.isError, f"{name}({args}) should have failed: {message}"
    for needle in needles:
        assert needle.lower() in message.lower(), f"{name}: {needle!r} not in {message!r}"
    return message


async def read_file(session, path: str, **extra: Any) -> tuple[dict[str, Any], Any]:
    """Calls nc_webdav_read_file, which must succeed; returns (structuredContent, first content block).
    The content is carried once, in the first block (text, base64 text or image)."""
    args = {"path": path, **extra}
    result = await session.call_tool("nc_webdav_read_file", args)
    assert not result.isError, f"nc_webdav_read_file({args}) failed: {text_of(result)}"
    meta = result.structuredContent
    assert isinstance(meta, dict) and "content" not in meta, meta
    return meta, result.content[0]


async def read_text(session, path: str, **extra: Any) -> str:
    """The text of a file read with nc_webdav_read_file (one range)."""
    meta, block = await read_file(session, path, **extra)
    assert meta["content_format"] == "text", meta
    return block.text
