"""Scope enforcement (issue 15 §5, `auth.oauth.scopes.enforce`): with tokens minted by the OIDC peer with and
without the toolset scopes, tools/list shows only what the scopes allow, a tools/call needing a missing scope
gets HTTP 403 with an insufficient_scope challenge naming it (and reaches no Nextcloud API), and the protected
resource metadata lists the toolset scopes."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.reliability_support import RawSession, parse_answer
from tests.harness.mcp_client import parse_challenge

pytestmark = pytest.mark.e2e

ENFORCED = {"auth": {"oauth": {
    "scopes": {"advertised": ["openid", "profile", "email"], "enforce": True},
    "validation": {"methods": ["jwt"]},
}}}


def token(mint_token, scope: str, server=None) -> str:
    """A JWT for alice with these scopes, bound to the server (audience `<server>/mcp`)."""
    aud = f"{server.url}/mcp" if server is not None else None
    return mint_token("alice", scope=scope, format="jwt", aud=aud)


def test_scopes_filter_the_list_and_step_up_a_call(mcp_server, mint_token, nextcloud):
    server = mcp_server(ENFORCED)
    prm = httpx.get(f"{server.url}/.well-known/oauth-protected-resource/mcp").json()
    assert {"openid", "notes.read", "notes.write", "files.read", "search.read"} <= set(prm["scopes_supported"])

    reader = RawSession(server.url, token(mint_token, "openid notes.read", server)).open()
    tools = reader.tools()
    assert tools and all(n.startswith("nc_notes_") for n in tools), sorted(tools)
    assert all(t["annotations"]["readOnlyHint"] for t in tools.values())
    assert "nc_notes_get_note" in tools

    nextcloud.reset_stats()
    r = reader.post({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
                     "params": {"name": "nc_notes_create_note",
                                "arguments": {"title": "x", "content": "y", "category": ""}}})
    assert r.status_code == 403, r.text
    scheme, params = parse_challenge(r.headers["www-authenticate"])
    assert scheme == "Bearer" and params["error"] == "insufficient_scope" and params["scope"] == "notes.write"
    assert params["resource_metadata"].endswith("/.well-known/oauth-protected-resource/mcp")
    assert not any("/apps/notes" in route for route in nextcloud.stats()["routes"])

    got = reader.tool("nc_notes_get_note", {"note_id": 1})
    assert not got["result"].get("isError"), got

    writer = RawSession(server.url, token(mint_token, "openid notes.read notes.write", server)).open()
    assert "nc_notes_create_note" in writer.tools()
    created = writer.tool("nc_notes_create_note", {"title": "Scoped", "content": "ok", "category": ""})
    assert not created["result"].get("isError"), created

    nobody = RawSession(server.url, token(mint_token, "openid", server)).open()
    assert nobody.tools() == {}
    r = nobody.post({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                     "params": {"name": "nc_webdav_read_file", "arguments": {"path": "Documents/report.pdf"}}})
    assert r.status_code == 403 and 'scope="files.read"' in r.headers["www-authenticate"]


def test_without_enforcement_scopes_change_nothing(mcp_server, mint_token, nextcloud):
    server = mcp_server()
    session = RawSession(server.url, token(mint_token, "openid")).open()
    assert "nc_notes_create_note" in session.tools()
    prm = httpx.get(f"{server.url}/.well-known/oauth-protected-resource/mcp").json()
    assert "notes.read" not in prm["scopes_supported"]
    assert parse_answer  # the helper module is shared with the reliability suites
