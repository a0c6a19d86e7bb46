"""Issue 10 §3: audience binding by default, ID tokens refused.

Nextcloud's oidc app (docs/decisions/0003-audience-binding.md) writes the RFC 8707 `resource`
of the authorization request into a JWT access token's `aud` (else the client id) and into the
introspection answer's `aud`; its access tokens say `typ: at+JWT`, its ID tokens `typ: JWT`.
The OpenID peer mints such tokens for this server's resource, for other audiences, and ID tokens.
"""

from __future__ import annotations

import pytest

from tests.harness import initialize_request, mcp_post_headers, parse_challenge

pytestmark = pytest.mark.e2e


def status_for(http, server, token: str) -> int:
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token))
    if r.status_code == 401:
        assert parse_challenge(r.headers["www-authenticate"])[1].get("error") == "invalid_token"
    return r.status_code


def validation(method: str, **extra) -> dict:
    return {"auth": {"oauth": {"validation": {"methods": [method], **extra}}}}


def mint_id_token(oidc_peer, **body) -> str:
    return oidc_peer._post("/__test/mint", {"sub": "alice", "format": "id_token", **body})["access_token"]


def test_jwt_audience_must_name_this_server(mcp_server, oidc_peer, http):
    server = mcp_server(validation("jwt"))
    ours = f"{server.url}/mcp"
    assert status_for(http, server, oidc_peer.mint("alice", format="jwt", aud=ours)) == 200
    # The origin (older clients ask for it) is this server too.
    assert status_for(http, server, oidc_peer.mint("alice", format="jwt", aud=server.url)) == 200
    for other in ("https://other.example/mcp", "urn:nextcloud-mcp:test", f"{server.url}.evil.example/mcp"):
        assert status_for(http, server, oidc_peer.mint("alice", format="jwt", aud=other)) == 401, other


def test_configured_audience_and_explicit_opt_out(mcp_server, oidc_peer, http):
    server = mcp_server(validation("jwt", audiences=["urn:nextcloud-mcp:test"]))
    assert status_for(http, server, oidc_peer.mint("alice", format="jwt", aud="urn:nextcloud-mcp:test")) == 200
    assert status_for(http, server, oidc_peer.mint("alice", format="jwt", aud="https://other.example")) == 401

    off = mcp_server(validation("jwt", check_audience=False))
    assert status_for(http, off, oidc_peer.mint("alice", format="jwt", aud="https://other.example")) == 200
    assert "check_audience is false" in off.log_text()


def test_id_tokens_are_refused(mcp_server, oidc_peer, http):
    server = mcp_server(validation("jwt"))
    ours = f"{server.url}/mcp"
    # Shaped like Nextcloud's ID token (typ JWT, scope, nonce), even with this server as aud.
    assert status_for(http, server, mint_id_token(oidc_peer, aud=ours, scope="openid profile")) == 401
    # No typ header: nonce without scope is an ID token.
    assert status_for(http, server, mint_id_token(oidc_peer, aud=ours, typ="")) == 401
    # The default aud of an ID token is the client id: refused too.
    assert status_for(http, server, mint_id_token(oidc_peer)) == 401
    assert status_for(http, server, oidc_peer.mint("alice", format="jwt", aud=ours)) == 200


def test_introspected_audience_must_name_this_server(mcp_server, oidc_peer, http):
    server = mcp_server(validation("introspection"))
    ours = f"{server.url}/mcp"
    assert status_for(http, server, oidc_peer.mint("alice", aud=ours)) == 200
    assert status_for(http, server, oidc_peer.mint("alice", aud="https://other.example/mcp")) == 401
    # No resource: the provider reports the client the token was issued to (another client).
    assert status_for(http, server, oidc_peer.mint("alice")) == 401
    # The server registered its client with this resource (Nextcloud lets such a client
    # introspect tokens issued for its resource).
    assert any(c.get("resource_url") == ours for c in oidc_peer.clients()), oidc_peer.clients()


def test_userinfo_only_warns_once_that_audience_is_unchecked(mcp_server, oidc_peer, http):
    server = mcp_server()
    lines = [line for line in server.log_text().splitlines() if "audience of tokens accepted by userinfo cannot be checked" in line]
    assert len(lines) == 1, server.log_tail()
    # userinfo cannot tell audiences apart: a token for another resource still works there.
    assert status_for(http, server, oidc_peer.mint("alice", format="jwt", aud="https://other.example")) == 200


def test_a_token_for_another_audience_does_not_fall_through_to_userinfo(mcp_server, oidc_peer, http):
    server = mcp_server(validation("jwt"))
    server2 = mcp_server({"auth": {"oauth": {"validation": {"methods": ["jwt", "userinfo"]}}}})
    for s in (server, server2):
        assert status_for(http, s, oidc_peer.mint("alice", format="jwt", aud="https://other.example")) == 401
        assert status_for(http, s, mint_id_token(oidc_peer, aud=f"{s.url}/mcp")) == 401
    # An opaque token is not a JWT: userinfo judges it (and warns that it cannot see audiences).
    assert status_for(http, server2, oidc_peer.mint("alice")) == 200
