"""MCP client helpers on the official Python SDK (PyPI `mcp`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


def auth_headers(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@asynccontextmanager
async def mcp_session(url: str, token: str | None = None, transport: str = "streamable",
                      timeout: float = 20.0) -> AsyncIterator[ClientSession]:
    """An initialized ClientSession to the server at `url` (its base URL).

    transport: "streamable" (POST/GET <url>/mcp; stateful or stateless is the server's choice) or
    "sse" (legacy HTTP+SSE: GET <url>/sse, messages POSTed to the endpoint it announces, /messages).
    The session has `.mcp_session_id()` (the Mcp-Session-Id, None when stateless or SSE) and
    `.initialize_result`.
    """
    headers = auth_headers(token)
    if transport == "streamable":
        client = create_mcp_http_client(headers=headers, timeout=httpx.Timeout(timeout, read=timeout * 3))
        async with client:
            async with streamable_http_client(f"{url}/mcp", http_client=client) as (read, write, get_session_id):
                async with ClientSession(read, write) as session:
                    session.initialize_result = await session.initialize()  # type: ignore[attr-defined]
                    session.mcp_session_id = get_session_id  # type: ignore[attr-defined]
                    yield session
    elif transport == "sse":
        async with sse_client(f"{url}/sse", headers=headers, timeout=timeout, sse_read_timeout=timeout * 3) as (read, write):
            async with ClientSession(read, write) as session:
                session.initialize_result = await session.initialize()  # type: ignore[attr-defined]
                session.mcp_session_id = lambda: None  # type: ignore[attr-defined]
                yield session
    else:
        raise ValueError(f"unknown transport {transport!r}")


# ---------------------------------------------------------------- raw JSON-RPC over HTTP
MCP_POST_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def initialize_request(request_id: int = 1, protocol_version: str = "2025-06-18") -> dict:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": {
            "protocolVersion": protocol_version,
            "capabilities": {},
            "clientInfo": {"name": "nextcloud-mcp-e2e", "version": "0"},
        },
    }


def mcp_post_headers(token: str | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**MCP_POST_HEADERS, **auth_headers(token), **(extra or {})}


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """`Bearer a="x", b="y"` -> ("Bearer", {"a": "x", "b": "y"}) (RFC 6750 / 9110 auth-params)."""
    import re

    scheme, _, rest = header.strip().partition(" ")
    params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
              for m in re.finditer(r'([A-Za-z0-9_\-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', rest)}
    return scheme, params
