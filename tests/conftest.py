"""Shared fixtures of every test suite (see tests/harness/).

Session-scoped peers, started once: `oidc_peer` (tests/peers/oidc, a real OpenID provider) and
`nextcloud` (tests/fakes/nextcloud, the Nextcloud contract fake, validating bearer tokens at the
peer's userinfo). Both are reset (stats, faults, settings) before each test that uses them.

Function-scoped: `mcp_server(config: dict = {}, env=None, wait="ready")` starts the server binary
(${NEXTCLOUD_MCP_BIN:-target/debug/nextcloud-mcp}) with `config` deep-merged over a default that
points at the peers; every server is stopped at the end of the test and its log is printed if the
test failed. `mint_token(sub, **kw)` mints an access token without a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import McpServer, NextcloudFake, OidcPeer
from tests.harness.processes import tail
from tests.harness.server import new_server


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(getattr(getattr(request.node, f"rep_{w}", None), "failed", False) for w in ("setup", "call"))


@pytest.fixture(scope="session")
def harness_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("harness")


@pytest.fixture(scope="session")
def oidc_peer(harness_dir: Path) -> Iterator[OidcPeer]:
    peer = OidcPeer(harness_dir).start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture(scope="session")
def nextcloud(oidc_peer: OidcPeer, harness_dir: Path) -> Iterator[NextcloudFake]:
    fake = NextcloudFake(harness_dir, oidc_peer.issuer).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(autouse=True)
def _fresh_peers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test sees zeroed stats, no faults and default settings on the peers it uses."""
    names = request.fixturenames
    peers: list[Any] = []
    if "oidc_peer" in names:
        peers.append(request.getfixturevalue("oidc_peer"))
    if "nextcloud" in names:
        peers.append(request.getfixturevalue("nextcloud"))
    for peer in peers:
        if not peer.process.alive():
            pytest.fail(f"{peer.process.name} died earlier in the session:\n{tail(peer.process.log_text(), 80)}")
        peer.reset()
    yield
    if _failed(request):
        for peer in peers:
            print(f"\n----- {peer.process.name} log (tail) -----\n{tail(peer.process.log_text(), 60)}")


@pytest.fixture
def mint_token(oidc_peer: OidcPeer) -> Callable[..., str]:
    """mint_token(sub, scope=None, format="opaque"|"jwt", ttl=None, aud=None) -> access token."""
    return oidc_peer.mint


@pytest.fixture
def mcp_server(request: pytest.FixtureRequest, nextcloud: NextcloudFake, oidc_peer: OidcPeer,
               tmp_path: Path) -> Iterator[Callable[..., McpServer]]:
    servers: list[McpServer] = []

    def start(config: dict[str, Any] | None = None, env: dict[str, str] | None = None, wait: str = "ready",
              timeout: float = 30.0) -> McpServer:
        server = new_server(config or {}, fake_url=nextcloud.url, discovery_url=oidc_peer.discovery_url,
                            workdir=tmp_path / f"server-{len(servers)}", env=env)
        servers.append(server)
        server.start(wait=wait, timeout=timeout)
        return server

    yield start
    for server in servers:
        server.stop()
    if _failed(request):
        for server in servers:
            print(f"\n----- {server.name} log ({server.log_path}) -----\n{server.log_tail(200)}")


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15.0) as client:
        yield client
