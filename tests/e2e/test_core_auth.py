"""Service core (issue 2): OAuth resource-server auth cases against a real OpenID provider.

Tokens are validated by the server at the provider's userinfo endpoint (the default method).
The provider counts userinfo calls by caller: `userinfo_direct` are the server's own validation
calls, `userinfo_from_nextcloud` those the Nextcloud fake makes for every API call it serves.
"""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from tests.harness import initialize_request, mcp_post_headers, mcp_session, parse_challenge

pytestmark = pytest.mark.e2e


def prm_url(server) -> str:
    return f"{server.config['server']['public_url']}/.well-known/oauth-protected-resource/mcp"


def post_initialize(http: httpx.Client, server, token: str | None = None, **kw) -> httpx.Response:
    return http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token), **kw)


def test_no_token_gets_401_with_the_exact_challenge(mcp_server, http, mint_token, oidc_peer):
    server = mcp_server()
    expected = f'Bearer resource_metadata="{prm_url(server)}"'

    r = post_initialize(http, server)
    assert r.status_code == 401, r.text
    assert r.headers.get("www-authenticate") == expected

    # The legacy SSE transport is behind the same auth, and names its own resource's metadata
    # (clients check that the metadata's resource is the URL they connect to).
    r = http.get(f"{server.url}/sse", headers={"Accept": "text/event-stream"})
    assert r.status_code == 401, r.text
    assert r.headers.get("www-authenticate") == expected.replace("/mcp\"", "/sse\"")

    # A token in the query string is never used (RFC 6750 allows refusing it as invalid_request).
    token = mint_token("alice")
    r = http.post(f"{server.url}/mcp", params={"access_token": token}, json=initialize_request(),
                  headers=mcp_post_headers())
    assert r.status_code in (400, 401), r.text
    assert oidc_peer.stats()["userinfo"] == 0, "a token from the query string was validated"


def test_garbage_token_gets_401_invalid_token(mcp_server, http):
    server = mcp_server()
    r = post_initialize(http, server, "this-is-not-a-token")
    assert r.status_code == 401, r.text
    scheme, params = parse_challenge(r.headers.get("www-authenticate", ""))
    assert scheme == "Bearer"
    assert params.get("resource_metadata") == prm_url(server)
    assert params.get("error") == "invalid_token"
    assert r.headers["www-authenticate"].startswith(f'Bearer resource_metadata="{prm_url(server)}"')


@pytest.mark.parametrize("token_format", ["opaque", "jwt"])
async def test_valid_token_succeeds(mcp_server, mint_token, token_format):
    server = mcp_server()
    token = mint_token("alice", format=token_format)
    async with mcp_session(server.url, token) as session:
        assert session.initialize_result.serverInfo.name
        tools = await session.list_tools()
        assert isinstance(tools.tools, list)


async def test_fifty_parallel_first_calls_make_one_userinfo_call(mcp_server, mint_token, oidc_peer):
    server = mcp_server()
    token = mint_token("alice")
    oidc_peer.reset_stats()

    limits = httpx.Limits(max_connections=60, max_keepalive_connections=60)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        barrier = asyncio.Event()

        async def call(i: int) -> int:
            await barrier.wait()
            r = await client.post(f"{server.url}/mcp", json=initialize_request(i), headers=mcp_post_headers(token))
            return r.status_code

        tasks = [asyncio.create_task(call(i)) for i in range(50)]
        await asyncio.sleep(0.05)
        barrier.set()
        statuses = await asyncio.gather(*tasks)

    assert statuses == [200] * 50
    stats = oidc_peer.stats()
    assert stats["userinfo_direct"] == 1, stats


async def test_revoked_token_is_rejected_once_the_cache_entry_expires(mcp_server, mint_token, oidc_peer, http):
    ttl = 3
    server = mcp_server({"auth": {"oauth": {"validation": {"cache_ttl": ttl}}}})
    token = mint_token("alice")

    t0 = time.monotonic()
    assert post_initialize(http, server, token).status_code == 200
    assert oidc_peer.revoke(token)
    # Still inside the cache window: the verdict is served from the cache, no new userinfo call.
    r = post_initialize(http, server, token)
    assert time.monotonic() - t0 < ttl, "test machine too slow to observe the cache window"
    assert r.status_code == 200, r.text
    assert oidc_peer.stats()["userinfo_direct"] == 1

    time.sleep(max(0.0, ttl + 0.5 - (time.monotonic() - t0)))
    r = post_initialize(http, server, token)
    assert r.status_code == 401, r.text
    _, params = parse_challenge(r.headers.get("www-authenticate", ""))
    assert params.get("error") == "invalid_token"
    assert oidc_peer.stats()["userinfo_direct"] == 2


def test_nextcloud_down_gives_503_with_a_clear_message(mcp_server, mint_token, oidc_peer, nextcloud, http):
    server = mcp_server({"nextcloud": {"timeout": 5, "connect_timeout": 2}})
    token = mint_token("alice")  # never validated yet: the server must ask Nextcloud

    nextcloud.down("maintenance")
    oidc_peer.configure(userinfo_close=True)  # Nextcloud's userinfo endpoint unreachable
    r = post_initialize(http, server, token, timeout=60.0)
    assert r.status_code == 503, f"{r.status_code} {r.headers} {r.text}"
    assert r.text.strip(), "503 without a message"
    assert re.search(r"nextcloud|identity provider|userinfo|unreachable|unavailable", r.text, re.I), r.text

    # /readyz follows: 503 with a JSON reason while Nextcloud is down (it may cache a few seconds).
    deadline = time.monotonic() + 10
    ready = http.get(f"{server.url}/readyz")
    while ready.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.25)
        ready = http.get(f"{server.url}/readyz")
    assert ready.status_code == 503, ready.text
    assert ready.json(), ready.text

    # Unreachable is not invalid: once Nextcloud is back the same token works (no negative caching).
    oidc_peer.configure(userinfo_close=False)
    nextcloud.up()
    r = post_initialize(http, server, token, timeout=60.0)
    assert r.status_code == 200, r.text
    server.wait_ready(timeout=15)


async def test_token_never_appears_in_logs(mcp_server, mint_token, oidc_peer, http):
    server = mcp_server({"logging": {"level": "trace"}, "auth": {"oauth": {"validation": {"cache_ttl": 1}}}})
    opaque = mint_token("alice")
    jwt = mint_token("bob", format="jwt")
    revoked = mint_token("carol")
    oidc_peer.revoke(revoked)

    for token in (opaque, jwt):
        async with mcp_session(server.url, token) as session:
            await session.list_tools()
            await session.read_resource("nc://capabilities")
    for token in (revoked, "garbage-token-0123456789abcdef"):
        assert post_initialize(http, server, token).status_code == 401
    time.sleep(1.2)  # past cache_ttl: validated again
    assert post_initialize(http, server, opaque).status_code == 200

    registration = server.config["auth"]["oauth"]["client"]["registration"]["storage_path"]
    stored = __import__("json").loads(open(registration).read())
    server.stop()
    log = server.log_text()
    assert log.strip(), "the server logged nothing at trace level"
    for secret in (opaque, jwt, revoked, "garbage-token-0123456789abcdef"):
        assert secret not in log
    # Fragments too (a logger that truncates the token still leaks it).
    for secret in (opaque, jwt):
        for i in range(0, len(secret) - 24, 12):
            assert secret[i:i + 24] not in log
    for key in ("client_secret", "registration_access_token"):
        if stored.get(key):
            assert stored[key] not in log, f"{key} of the registered client appears in the log"
