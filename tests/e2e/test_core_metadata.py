"""Service core (issue 2): Protected Resource Metadata (RFC 9728) and the PKCE start-up check."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_protected_resource_metadata_matches_the_config(mcp_server, oidc_peer, http):
    public_url = "https://mcp.example.test"
    scopes = ["openid", "profile", "email", "offline_access"]
    server = mcp_server({"server": {"public_url": public_url}, "auth": {"oauth": {"scopes": scopes}}})

    # RFC 9728 §3: the metadata of resource <public_url>/mcp lives at
    # /.well-known/oauth-protected-resource/mcp, that of <public_url> at /.well-known/oauth-protected-resource.
    for path, resource in (("/.well-known/oauth-protected-resource/mcp", f"{public_url}/mcp"),
                           ("/.well-known/oauth-protected-resource", public_url)):
        r = http.get(f"{server.url}{path}")
        assert r.status_code == 200, f"{path}: {r.status_code} {r.text}"
        assert r.headers["content-type"].startswith("application/json")
        doc = r.json()
        assert doc["resource"].rstrip("/") == resource.rstrip("/"), (path, doc)
        assert doc["authorization_servers"] == [oidc_peer.issuer], (path, doc)
        assert doc["scopes_supported"] == scopes, (path, doc)
        assert doc["bearer_methods_supported"] == ["header"], (path, doc)

    # The challenge points at the configured public URL, not at the address we connected to.
    r = http.post(f"{server.url}/mcp", json={}, headers={"Accept": "application/json, text/event-stream"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == (
        f'Bearer resource_metadata="{public_url}/.well-known/oauth-protected-resource/mcp"')


def test_discovery_without_s256_refuses_to_start_naming_the_fix(mcp_server, nextcloud):
    no_s256 = {"auth": {"oauth": {"discovery_url": nextcloud.discovery_no_s256_url}}}
    server = mcp_server(no_s256, wait="exit", timeout=90)
    log = server.log_text()
    assert server.exit_code not in (None, 0), log
    assert "S256" in log, log
    assert re.search(r"PKCE|code_challenge_methods_supported", log, re.I), log

    # Only while require_pkce is true.
    server = mcp_server({**no_s256, "auth": {"oauth": {**no_s256["auth"]["oauth"], "require_pkce": False}}})
    assert server.alive()
