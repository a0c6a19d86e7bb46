"""Issue 10 §2: a token stops working when Nextcloud says so.

Raw HTTP against the server, the real OpenID provider and the Nextcloud fake (which, like
Nextcloud with user_oidc, validates every bearer token at the provider's userinfo endpoint and
answers 401 for an expired or revoked one). The server caches validated tokens (cache_ttl 3600);
when Nextcloud refuses a cached token, the server must drop it at once, so the next MCP request
gets the 401 challenge that makes an OAuth client refresh.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.reliability_support import RawSession, is_error, result_text
from tests.harness import initialize_request, mcp_post_headers, parse_challenge

pytestmark = pytest.mark.e2e


def prm_url(server) -> str:
    return f"{server.config['server']['public_url']}/.well-known/oauth-protected-resource/mcp"


def assert_invalid_token_challenge(r, server) -> None:
    assert r.status_code == 401, f"{r.status_code} {r.text[:300]}"
    scheme, params = parse_challenge(r.headers.get("www-authenticate", ""))
    assert scheme == "Bearer"
    assert params.get("error") == "invalid_token", r.headers.get("www-authenticate")
    assert params.get("resource_metadata") == prm_url(server)


@pytest.mark.parametrize("method,fmt", [("userinfo", "opaque"), ("jwt", "jwt"), ("introspection", "opaque")])
def test_token_nextcloud_refuses_is_challenged_on_the_next_request(mcp_server, oidc_peer, http, method, fmt):
    server = mcp_server({"auth": {"oauth": {"validation": {"methods": [method], "cache_ttl": 3600}}}})
    token = oidc_peer.mint("alice", format=fmt, aud=f"{server.url}/mcp" if method != "userinfo" else None)
    session = RawSession(server.url, token, client=http).open()
    assert not is_error(session.tool("nc_notes_list_notes", {}))

    # Revoked at the provider: Nextcloud (user_oidc) refuses it from now on; the server's cache
    # still holds a positive verdict for up to an hour (and a JWT still verifies locally).
    assert oidc_peer.revoke(token)
    msg = session.tool("nc_notes_list_notes", {})
    assert is_error(msg), msg
    text = result_text(msg)
    assert "sign-in has expired" in text and "reconnect" in text, text

    # The very next MCP request with the token is challenged, in the session and outside it.
    r = session.post({"jsonrpc": "2.0", "id": 99, "method": "tools/list", "params": {}})
    assert_invalid_token_challenge(r, server)
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token))
    assert_invalid_token_challenge(r, server)

    # Another user's cached token is untouched.
    other = oidc_peer.mint("bob", format=fmt, aud=f"{server.url}/mcp" if method != "userinfo" else None)
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(other))
    assert r.status_code == 200, r.text


def test_cache_never_outlives_the_introspected_expiry(mcp_server, oidc_peer, http):
    server = mcp_server({"auth": {"oauth": {"validation": {"methods": ["introspection"], "cache_ttl": 3600}}}})
    token = oidc_peer.mint("alice", ttl=2, aud=f"{server.url}/mcp")
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token))
    assert r.status_code == 200, r.text
    time.sleep(3)
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token))
    assert_invalid_token_challenge(r, server)


def test_expired_userinfo_token_is_challenged_after_nextcloud_refuses_it(mcp_server, oidc_peer, http):
    """An opaque token validated by userinfo has no known expiry: the cache keeps it until
    cache_ttl, unless Nextcloud refuses it first (then the next request is challenged)."""
    server = mcp_server()
    token = oidc_peer.mint("alice", ttl=2)
    session = RawSession(server.url, token, client=http).open()
    time.sleep(3)
    # Still cached: the server does not know the token expired...
    assert session.post({"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {}}).status_code == 200
    # ...until Nextcloud refuses it.
    msg = session.tool("nc_notes_list_notes", {})
    assert is_error(msg) and "sign-in has expired" in result_text(msg), msg
    r = session.post({"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": {}})
    assert_invalid_token_challenge(r, server)
