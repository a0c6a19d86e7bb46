"""Large files with a client on the current SDK (2.x) and its defaults, 1 MiB per SSE event included (issue 11 §7):
a 5 MiB text file is read completely, range by range, each result carrying the content once; a 5 MiB write is
answered with a JSON-RPC error that names the limit and its config key (not a bare HTTP 413).

Before ranges, one read returned the whole file twice (content block and structuredContent), so the SDK failed
with "Server-sent event exceeded the 1048576 byte limit" from about 600 KiB."""

from __future__ import annotations

import httpx
import pytest
from mcp.shared.exceptions import MCPError

from tests.sdk2.client import sdk2_session

pytestmark = pytest.mark.e2e

MIB = 1024 * 1024


def big_text(size: int) -> str:
    """Text with characters JSON must escape (quotes, backslashes, tabs, control characters) and multi-byte
    characters, so ranges cut inside characters and escaping grows the answer."""
    line = 'Zeile "zitiert" \\ back\tslash \x01 ünïcödé 😀 € ' + "x" * 40 + "\n"
    text = line * (size // len(line.encode()) + 1)
    return text.encode()[:size].decode("utf-8", errors="ignore")


def put(nextcloud, path: str, content: bytes) -> None:
    r = httpx.put(f"{nextcloud.url}/remote.php/dav/files/alice/{path}", content=content,
                  headers={"Content-Type": "text/plain"}, auth=("alice", "alice-app-password"))
    assert r.status_code in (201, 204), r.text


@pytest.mark.parametrize("transport", ["streamable", "sse"])
async def test_sdk2_reads_a_5_mib_text_file_by_ranges(transport, mcp_server, mint_token, nextcloud):
    text = big_text(5 * MIB)
    put(nextcloud, "big.txt", text.encode())
    server = mcp_server()
    progress: list[tuple[float, float | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total))

    async with sdk2_session(server.url, mint_token("alice"), transport=transport) as session:
        parts: list[str] = []
        offset, calls = 0, 0
        while True:
            result = await session.call_tool("nc_webdav_read_file", {"path": "big.txt", "offset": offset},
                                             progress_callback=on_progress)
            assert not result.is_error, result.content[0].text[:300]
            meta = result.structured_content
            assert "content" not in meta and meta["content_format"] == "text"
            block = result.content[0].text
            assert meta["offset"] == offset and meta["length"] == len(block.encode())
            assert meta["size"] == len(text.encode())
            parts.append(block)
            calls += 1
            if meta["complete"]:
                assert meta["next_offset"] is None
                break
            assert f"offset={meta['next_offset']}" in meta["note"]
            offset = meta["next_offset"]
            assert calls < 40
        assert "".join(parts) == text
        assert calls >= 10  # escaping made some ranges shorter than 512 KiB, never longer
        assert progress and progress[-1] == (len(text.encode()), len(text.encode()))
        # An explicit range: Range request, bytes exactly as asked (cut back to a character boundary).
        small = await session.call_tool("nc_webdav_read_file", {"path": "big.txt", "offset": 10, "length": 20})
        assert small.content[0].text == text.encode()[10:30].decode("utf-8", errors="ignore")


async def test_sdk2_oversized_write_gets_a_json_rpc_error(mcp_server, mint_token, nextcloud):
    server = mcp_server()
    async with sdk2_session(server.url, mint_token("alice")) as session:
        with pytest.raises(MCPError) as caught:
            await session.call_tool("nc_webdav_write_file", {"path": "huge.txt", "content": "x" * (5 * MIB)})
        message = str(caught.value)
        assert "server.max_body_bytes" in message and "4194304" in message, message
        assert "Server returned an error response" not in message
        # The session goes on.
        ok = await session.call_tool("nc_webdav_write_file", {"path": "small.txt", "content": "x"})
        assert not ok.is_error
