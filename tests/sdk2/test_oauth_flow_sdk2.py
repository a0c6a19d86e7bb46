"""Issue 10 §7 with the current SDK (2.x): its OAuthClientProvider runs the whole flow against the
server on /mcp (stateful): 401 -> protected-resource metadata -> authorization-server metadata ->
dynamic client registration -> authorization code with PKCE S256 through the OIDC peer's login and
consent pages -> token -> tools/list and a tool call; then the token expires, the server answers 401,
and the client refreshes and goes on in the same session."""

from __future__ import annotations

import asyncio
import importlib.metadata
from urllib.parse import parse_qs, urlparse

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

from tests.e2e.oauth_client_support import BrowserLogin, MemoryTokenStorage, client_metadata_fields, validate_with
from tests.e2e.reliability_support import seed_note

pytestmark = pytest.mark.e2e


async def test_sdk2_oauth_client_runs_the_flow_and_refreshes_into_the_same_session(
        mcp_server, oidc_peer, nextcloud):
    assert importlib.metadata.version("mcp").startswith("2."), "run tests/sdk2 with .venv-sdk2"
    server = mcp_server()
    validate_with(server, "introspection")  # the token's expiry is known to the server
    note = seed_note(nextcloud, "alice", "alice-app-password", content="read by SDK 2")
    oidc_peer.configure(token_ttl=4)
    oidc_peer.reset_stats()
    login, storage = BrowserLogin("alice"), MemoryTokenStorage()

    async def callback() -> AuthorizationCodeResult:
        code, state = await login.callback_handler()
        return AuthorizationCodeResult(code=code, state=state, iss=login.iss)

    auth = OAuthClientProvider(
        server_url=f"{server.url}/mcp",
        client_metadata=OAuthClientMetadata.model_validate(client_metadata_fields()),
        storage=storage,
        redirect_handler=login.redirect_handler,
        callback_handler=callback,
    )
    async with create_mcp_http_client(auth=auth, timeout=httpx2.Timeout(20, read=60)) as client:
        async with streamable_http_client(f"{server.url}/mcp", http_client=client) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as session:
                await session.initialize()
                assert "nc_notes_get_note" in {t.name for t in (await session.list_tools()).tools}
                if note is not None:
                    got = await session.call_tool("nc_notes_get_note", {"note_id": note})
                    assert not got.is_error and got.structured_content["content"] == "read by SDK 2"
                stats = oidc_peer.stats()
                assert stats["registrations"] == 1 and stats["logins"] == 1 and stats["consents"] == 1, stats
                query = parse_qs(urlparse(login.authorizations[0]).query)
                assert query["code_challenge_method"] == ["S256"]
                assert query["resource"] == [f"{server.url}/mcp"]
                first = storage.tokens.access_token
                assert storage.tokens.refresh_token

                await asyncio.sleep(5)
                r = httpx.post(f"{server.url}/mcp", json={}, headers={"Authorization": f"Bearer {first}"})
                assert r.status_code == 401 and 'error="invalid_token"' in r.headers["www-authenticate"]
                tokens_before = oidc_peer.stats()["token"]
                assert (await session.list_tools()).tools  # same session, after a refresh
                assert storage.tokens.access_token != first
                assert oidc_peer.stats()["token"] > tokens_before
                assert len(login.authorizations) == 1, "the client logged in again instead of refreshing"
