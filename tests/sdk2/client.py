"""MCP client sessions on the current official Python SDK (2.x), with the SDK's defaults (for example
its 1 MiB limit per SSE event), as real clients built on it run them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


@asynccontextmanager
async def sdk2_session(url: str, token: str | None = None, transport: str = "streamable") -> AsyncIterator[ClientSession]:
    """An initialized SDK 2 ClientSession to the server at `url` (its base URL) over `transport`
    ("streamable": <url>/mcp; "sse": <url>/sse)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if transport == "streamable":
        async with create_mcp_http_client(headers=headers) as client:
            async with streamable_http_client(f"{url}/mcp", http_client=client) as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    yield session
    elif transport == "sse":
        async with sse_client(f"{url}/sse", headers=headers) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session
    else:
        raise ValueError(f"unknown transport {transport!r}")
