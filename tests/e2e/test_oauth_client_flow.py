"""Issue 10 §7: the OAuth flow as a real MCP client runs it, with the official SDK's
OAuthClientProvider (SDK 1.x here; tests/sdk2 runs it with SDK 2.x): 401 -> protected-resource
metadata (per transport: /mcp and /sse) -> authorization-server metadata -> dynamic client
registration -> authorization code with PKCE S256 through the OIDC peer's login and consent pages ->
token -> tools/list and a tool call, on /mcp stateful, /mcp stateless and legacy /sse; then the token
expires -> the server answers 401 -> the client refreshes -> the same session goes on."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.auth import OAuthClientMetadata

from tests.e2e.oauth_client_support import BrowserLogin, MemoryTokenStorage, client_metadata_fields, validate_with
from tests.e2e.reliability_support import seed_note
from tests.harness import parse_challenge

pytestmark = pytest.mark.e2e


def provider_for(url: str, login: BrowserLogin, storage: MemoryTokenStorage) -> OAuthClientProvider:
    return OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata.model_validate(client_metadata_fields()),
        storage=storage,
        redirect_handler=login.redirect_handler,
        callback_handler=login.callback_handler,
    )


@asynccontextmanager
async def oauth_session(base: str, transport: str, login: BrowserLogin, storage: MemoryTokenStorage):
    if transport == "sse":
        auth = provider_for(f"{base}/sse", login, storage)
        async with sse_client(f"{base}/sse", auth=auth, timeout=20) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session, (lambda: None)
        return
    auth = provider_for(f"{base}/mcp", login, storage)
    async with create_mcp_http_client(auth=auth, timeout=httpx.Timeout(20, read=60)) as client:
        async with streamable_http_client(f"{base}/mcp", http_client=client) as (read, write, session_id):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session, session_id


def check_flow(oidc_peer, login: BrowserLogin, resource: str) -> None:
    stats = oidc_peer.stats()
    assert stats["registrations"] == 1, stats  # dynamic client registration by the SDK
    assert stats["logins"] == 1 and stats["consents"] == 1, stats
    assert login.pages[:2] == ["Log in", "Authorize access"], login.pages
    query = parse_qs(urlparse(login.authorizations[0]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["resource"] == [resource], query


@pytest.mark.parametrize("transport", ["stateful", "stateless", "sse"])
async def test_sdk_oauth_client_runs_the_whole_flow(transport, mcp_server, oidc_peer, nextcloud, http):
    server = mcp_server({"server": {"stateful": transport != "stateless"}})
    validate_with(server, "introspection")
    path = "/sse" if transport == "sse" else "/mcp"
    # Step 1 as the client sees it: 401 naming this transport's own protected-resource metadata.
    r = http.request("GET" if transport == "sse" else "POST", f"{server.url}{path}", json={})
    assert r.status_code == 401
    _, params = parse_challenge(r.headers["www-authenticate"])
    assert params["resource_metadata"] == f"{server.url}/.well-known/oauth-protected-resource{path}"
    assert http.get(params["resource_metadata"]).json()["resource"] == f"{server.url}{path}"

    note = seed_note(nextcloud, "alice", "alice-app-password", content="alice wrote this")
    oidc_peer.reset_stats()
    login, storage = BrowserLogin("alice"), MemoryTokenStorage()
    async with oauth_session(server.url, transport, login, storage) as (session, session_id):
        tools = await session.list_tools()
        assert any(t.name == "nc_notes_get_note" for t in tools.tools)
        if note is not None:
            result = await session.call_tool("nc_notes_get_note", {"note_id": note})
            assert not result.isError, result
            assert "alice wrote this" in str(result.content)
        if transport == "stateful":
            assert session_id()
    check_flow(oidc_peer, login, f"{server.url}{path}")
    assert storage.tokens.refresh_token, "the peer issues refresh tokens like Nextcloud's oidc app"


@pytest.mark.parametrize("transport", ["stateful", "sse"])
async def test_expired_token_gets_401_and_the_client_refreshes_into_the_same_session(
        transport, mcp_server, oidc_peer, http):
    server = mcp_server()
    # Introspection: the provider says when the token expires, and the server's cache never
    # outlives that (the JWT verifier would allow 30 s of clock skew).
    validate_with(server, "introspection")
    path = "/sse" if transport == "sse" else "/mcp"
    oidc_peer.configure(token_ttl=3)
    oidc_peer.reset_stats()
    login, storage = BrowserLogin("alice"), MemoryTokenStorage()
    async with oauth_session(server.url, transport, login, storage) as (session, session_id):
        first_token = storage.tokens.access_token
        sid = session_id()
        assert (await session.list_tools()).tools
        await asyncio.sleep(4)
        # The server no longer honours the expired token (its cache never outlives `exp`) ...
        r = http.request("GET" if transport == "sse" else "POST", f"{server.url}{path}", json={},
                         headers={"Authorization": f"Bearer {first_token}"})
        assert r.status_code == 401, r.text
        assert parse_challenge(r.headers["www-authenticate"])[1].get("error") == "invalid_token"
        # ... and the client refreshes and goes on in the same session, without a new login.
        tokens_before = oidc_peer.stats()["token"]
        assert (await session.list_tools()).tools
        assert storage.tokens.access_token != first_token
        assert oidc_peer.stats()["token"] > tokens_before, "no refresh at the token endpoint"
        assert session_id() == sid
        assert len(login.authorizations) == 1, "the client had to log in again instead of refreshing"
    assert oidc_peer.stats()["logins"] == 1


def test_sse_and_messages_challenges_name_the_sse_metadata(mcp_server, http):
    server = mcp_server()
    sse_metadata = f"{server.url}/.well-known/oauth-protected-resource/sse"
    for method, path in (("GET", "/sse"), ("POST", "/messages?sessionId=x"), ("POST", "/messages/?sessionId=x")):
        r = http.request(method, f"{server.url}{path}", json={})
        assert r.status_code == 401, f"{method} {path}: {r.status_code}"
        assert parse_challenge(r.headers["www-authenticate"])[1]["resource_metadata"] == sse_metadata
    document = http.get(sse_metadata).json()
    assert document["resource"] == f"{server.url}/sse"
    assert document["authorization_servers"], document
    # /mcp keeps its own.
    mcp = http.get(f"{server.url}/.well-known/oauth-protected-resource/mcp").json()
    assert mcp["resource"] == f"{server.url}/mcp"
