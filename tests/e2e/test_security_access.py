"""Security (issue 6): DNS-rebinding protection on by default, user isolation (two users interleaved,
cache included), revocation within the cache TTL (and TTL 0), no secrets in logs at trace level,
the registration file's mode, and tokens in the URL refused."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import stat
import time

import httpx
import pytest

from tests.e2e.reliability_support import RawSession, is_error, result_text, seed_note
from tests.harness import initialize_request, mcp_post_headers
from tests.harness.server import basic_mode

pytestmark = pytest.mark.e2e


# ---------------------------------------------------------------- Host / Origin
def test_foreign_host_and_origin_refused_by_default(mcp_server, mint_token, http):
    server = mcp_server()
    token = mint_token("alice")
    good = mcp_post_headers(token)
    assert http.post(f"{server.url}/mcp", json=initialize_request(), headers=good).status_code == 200
    # localhost is allowed by default, with any port.
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers={**good, "Host": f"localhost:{server.port}"})
    assert r.status_code == 200, r.text

    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.evil.example", ""):
        for path, method in (("/mcp", "POST"), ("/sse", "GET"), ("/messages", "POST")):
            r = http.request(method, f"{server.url}{path}", json=initialize_request(),
                             headers={**good, "Host": host})
            assert r.status_code in (400, 403, 421), f"Host {host!r} {method} {path}: {r.status_code} {r.text[:200]}"

    for origin in ("http://evil.example", f"http://evil.example:{server.port}", "null"):
        r = http.post(f"{server.url}/mcp", json=initialize_request(), headers={**good, "Origin": origin})
        assert r.status_code == 403, f"Origin {origin!r}: {r.status_code} {r.text[:200]}"
    # The server's own origin (a browser on the public URL) is fine.
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers={**good, "Origin": server.url})
    assert r.status_code == 200, r.text


def test_configured_hosts_and_origins(mcp_server, mint_token, http):
    server = mcp_server({"server": {"allowed_hosts": ["mcp.example.com"],
                                    "allowed_origins": ["https://app.example.com"]}})
    token = mint_token("alice")
    h = mcp_post_headers(token)
    assert http.post(f"{server.url}/mcp", json=initialize_request(),
                     headers={**h, "Host": "mcp.example.com"}).status_code == 200
    assert http.post(f"{server.url}/mcp", json=initialize_request(),
                     headers={**h, "Host": "localhost"}).status_code in (400, 403, 421)
    assert http.post(f"{server.url}/mcp", json=initialize_request(),
                     headers={**h, "Host": "mcp.example.com", "Origin": "https://app.example.com"}).status_code == 200
    assert http.post(f"{server.url}/mcp", json=initialize_request(),
                     headers={**h, "Host": "mcp.example.com", "Origin": "https://evil.example"}).status_code == 403


# ---------------------------------------------------------------- isolation
async def test_two_users_interleaved_never_see_each_others_data(mcp_server, mint_token, nextcloud):
    server = mcp_server()
    alice_note = seed_note(nextcloud, "alice", "alice-app-password", content="alice's private text")
    bob_note = seed_note(nextcloud, "bob", "bob-app-password", content="bob's private text")
    nextcloud.reset_stats()
    tokens = {"alice": mint_token("alice"), "bob": mint_token("bob")}
    sessions = {u: RawSession(server.url, t).open() for u, t in tokens.items()}
    loop = asyncio.get_running_loop()

    def as_user(user: str, i: int) -> tuple[str, int, dict, dict]:
        s = sessions[user]
        caps = s.call("resources/read", {"uri": "nc://capabilities"})
        own = alice_note if user == "alice" else bob_note
        other = bob_note if user == "alice" else alice_note
        got = s.tool("nc_notes_get_note", {"note_id": own}) if own else {}
        foreign = s.tool("nc_notes_get_note", {"note_id": other}) if other else {}
        return user, i, got, foreign | {"caps": caps}

    jobs = [loop.run_in_executor(None, as_user, u, i) for i in range(10) for u in ("alice", "bob")]
    results = await asyncio.gather(*jobs)
    for user, _, got, foreign in results:
        other = "bob" if user == "alice" else "alice"
        assert "error" not in foreign["caps"], foreign["caps"]
        if alice_note and bob_note:
            assert not is_error(got), result_text(got)
            assert f"{user}'s private text" in result_text(got)
            # The other user's note id answers "not found" (the fake keys notes by uid).
            assert is_error(foreign), result_text(foreign)
            assert f"{other}'s private text" not in result_text(foreign)
    # Every Nextcloud call ran as the token's own user: both users reached Nextcloud themselves
    # (no answer, capabilities included, was served from the other user's cache).
    stats = nextcloud.stats()
    assert set(stats["users"]) == {"alice", "bob"}, stats["users"]
    for user in ("alice", "bob"):
        routes = stats["user_routes"][user]
        assert any(r.endswith("/cloud/capabilities") for r in routes), routes
    # The calls carried the users' tokens. (Not `basic_ok == 0`: the fake's stats are global, and
    # a basic-mode server of an earlier test may still finish a delayed call after the reset.)
    assert stats["auth"].get("bearer_ok", 0) > 0, stats["auth"]


# ---------------------------------------------------------------- revocation
def test_revoked_token_stops_immediately_with_cache_ttl_zero(mcp_server, mint_token, oidc_peer, http):
    server = mcp_server({"auth": {"oauth": {"validation": {"cache_ttl": 0}}}})
    token = mint_token("alice")
    for _ in range(3):
        assert http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token)).status_code == 200
    assert oidc_peer.stats()["userinfo_direct"] == 3  # no caching at all
    assert oidc_peer.revoke(token)
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token))
    assert r.status_code == 401, r.text


def test_revoked_token_stops_within_the_ttl_mid_session(mcp_server, mint_token, oidc_peer):
    ttl = 1
    server = mcp_server({"auth": {"oauth": {"validation": {"cache_ttl": ttl}}}})
    token = mint_token("alice")
    session = RawSession(server.url, token).open()
    assert "result" in session.call("tools/list", {})
    revoked_at = time.monotonic()
    oidc_peer.revoke(token)
    deadline = revoked_at + ttl + 3
    while time.monotonic() < deadline:
        r = session.post({"jsonrpc": "2.0", "id": 99, "method": "tools/list", "params": {}})
        if r.status_code == 401:
            break
        time.sleep(0.1)
    assert r.status_code == 401, f"still accepted {time.monotonic() - revoked_at:.1f}s after revocation (ttl {ttl}s)"
    assert time.monotonic() - revoked_at <= ttl + 1.5


# ---------------------------------------------------------------- secrets in logs
async def test_basic_mode_secrets_never_logged_at_trace(mcp_server, nextcloud, http):
    password = "alice-app-password"
    static_token = "static-mcp-token-5f1c9e0a7b3d4c2e"
    server = mcp_server({**basic_mode("alice", password, bearer_token=static_token), "logging": {"level": "trace"}})
    session = RawSession(server.url, static_token).open()
    session.call("tools/list", {})
    session.call("resources/read", {"uri": "nc://capabilities"})
    session.tool("nc_notes_get_note", {"note_id": 1})
    assert http.post(f"{server.url}/mcp", json=initialize_request(),
                     headers=mcp_post_headers("wrong-token-aaaaaaaaaaaaaaaa")).status_code == 401
    server.stop()
    log = server.log_text()
    assert "trace" in log.lower() or "TRACE" in log or len(log.splitlines()) > 5
    basic = base64.b64encode(f"alice:{password}".encode()).decode()
    for secret in (password, static_token, basic, "wrong-token-aaaaaaaaaaaaaaaa"):
        assert secret not in log, f"secret {secret[:6]}… in the log"


# ---------------------------------------------------------------- registration file
def test_registration_file_is_0600(mcp_server):
    server = mcp_server()
    path = server.config["auth"]["oauth"]["client"]["registration"]["storage_path"]
    import os

    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600, oct(mode)
    assert json.loads(open(path).read())["client_id"]


# ---------------------------------------------------------------- tokens in the URL
@pytest.mark.parametrize("param", ["access_token", "token", "ACCESS_TOKEN"])
def test_token_in_the_url_query_is_refused_everywhere(mcp_server, mint_token, oidc_peer, http, param):
    server = mcp_server()
    token = mint_token("alice")
    oidc_peer.reset_stats()
    # Alone, and even next to a valid Authorization header: refused, never validated.
    for headers in (mcp_post_headers(), mcp_post_headers(token)):
        r = http.post(f"{server.url}/mcp?{param}={token}", json=initialize_request(), headers=headers)
        assert r.status_code == 400, r.text
        r = http.get(f"{server.url}/sse?{param}={token}", headers={"Accept": "text/event-stream", **headers})
        assert r.status_code == 400, r.text
        r = http.post(f"{server.url}/messages?sessionId=x&{param}={token}", json=initialize_request(), headers=headers)
        assert r.status_code == 400, r.text
    assert re.search("Authorization header", r.text), r.text
    assert oidc_peer.stats()["userinfo_direct"] == 0
    server.stop()
    assert token not in server.log_text()
