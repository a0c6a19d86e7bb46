"""An oversized request body gets the same answer wherever it arrives (issue 13 leftovers): HTTP 413 with a
JSON-RPC error naming `server.max_body_bytes`, whether its size was declared (Content-Length) or it was streamed
(chunked, no Content-Length), on `/mcp` and on the legacy SSE `/messages`, and also when the scope check
(`auth.oauth.scopes.enforce`) is the layer that reads it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.harness.mcp_client import mcp_post_headers
from tests.harness.server import basic_mode

pytestmark = pytest.mark.e2e

LIMIT = 64 * 1024
BIG = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"' + b"a" * (LIMIT * 3) + b'"}}'


def chunked() -> Iterator[bytes]:
    for i in range(0, len(BIG), 8192):
        yield BIG[i:i + 8192]


def assert_json_rpc_413(r: httpx.Response) -> None:
    assert r.status_code == 413, (r.status_code, r.text[:200])
    assert r.headers["content-type"].startswith("application/json"), (r.headers, r.text[:200])
    body = r.json()
    assert body["jsonrpc"] == "2.0" and body["id"] is None, body
    assert body["error"]["code"] == -32600, body
    assert "server.max_body_bytes" in body["error"]["message"], body
    assert body["error"]["data"] == {"limit_bytes": LIMIT, "config_key": "server.max_body_bytes"}, body


@pytest.mark.parametrize("path", ["/mcp", "/messages?sessionId=x"])
@pytest.mark.parametrize("how", ["declared", "chunked"])
def test_oversized_bodies_get_the_json_rpc_error(mcp_server, path, how):
    server = mcp_server({**basic_mode(), "server": {"max_body_bytes": LIMIT}})
    content = BIG if how == "declared" else chunked()
    r = httpx.post(f"{server.url}{path}", content=content, headers=mcp_post_headers(), timeout=30)
    assert_json_rpc_413(r)
    assert server.alive()


def test_oversized_body_read_by_the_scope_check_gets_the_json_rpc_error(mcp_server, mint_token):
    server = mcp_server({"server": {"max_body_bytes": LIMIT}, "auth": {"oauth": {
        "scopes": {"advertised": ["openid"], "enforce": True}, "validation": {"methods": ["jwt"]}}}})
    token = mint_token("alice", scope="openid notes.read", format="jwt", aud=f"{server.url}/mcp")
    r = httpx.post(f"{server.url}/mcp", content=chunked(), headers=mcp_post_headers(token), timeout=30)
    assert_json_rpc_413(r)
