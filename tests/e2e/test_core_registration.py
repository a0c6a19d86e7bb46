"""Service core (issue 2): dynamic client registration, persisted, reused, and renewed.

Nextcloud's oidc app deletes dynamically registered clients `client_expire_time` after
registration (default one hour); the provider peer mimics that with `client_secret_expires_at`
(configurable lifetime) and /__test/clients/<id>/delete.
"""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import httpx
import pytest

from tests.harness import initialize_request, mcp_post_headers

pytestmark = pytest.mark.e2e


def storage_path(server) -> Path:
    return Path(server.config["auth"]["oauth"]["client"]["registration"]["storage_path"])


def stored_client(server) -> dict:
    return json.loads(storage_path(server).read_text())


def test_registration_is_persisted_and_reused_across_a_restart(mcp_server, oidc_peer):
    server = mcp_server()
    path = storage_path(server)
    assert path.exists(), "no registration file written"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
    first = stored_client(server)
    assert first.get("client_id") and first.get("client_secret"), first
    assert [c["client_id"] for c in oidc_peer.clients()] == [first["client_id"]]

    server.restart()
    assert stored_client(server)["client_id"] == first["client_id"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert oidc_peer.stats()["registrations"] == 1
    # No leftovers of an atomic write (temporary files) next to the storage file.
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_expired_client_is_registered_again_at_start(mcp_server, oidc_peer):
    lifetime = 4
    oidc_peer.configure(client_lifetime=lifetime)
    config = {"auth": {"oauth": {"client": {"registration": {"renew_before": 1}}}}}
    server = mcp_server(config)
    first = stored_client(server)
    assert first["client_id"]
    server.stop()

    time.sleep(lifetime + 1)  # Nextcloud's client_expire_time has passed
    oidc_peer.configure(client_lifetime=3600)
    server.start()
    second = stored_client(server)
    assert second["client_id"] != first["client_id"]
    assert oidc_peer.stats()["registrations"] == 2


def test_client_is_renewed_before_it_expires_while_running(mcp_server, oidc_peer):
    lifetime = 4
    oidc_peer.configure(client_lifetime=lifetime)
    config = {"auth": {"oauth": {"client": {"registration": {"renew_before": 2}}}}}
    server = mcp_server(config)
    first = stored_client(server)["client_id"]

    deadline = time.monotonic() + lifetime + 4
    while time.monotonic() < deadline and stored_client(server)["client_id"] == first:
        time.sleep(0.2)
    assert stored_client(server)["client_id"] != first, "client not renewed before client_secret_expires_at"
    assert oidc_peer.stats()["registrations"] >= 2
    assert server.alive()


def test_deleted_client_is_registered_again(mcp_server, oidc_peer, mint_token):
    server = mcp_server({"auth": {"oauth": {"client": {"registration": {"check_interval": 1}}}}})
    first = stored_client(server)["client_id"]
    token = mint_token("alice")
    with httpx.Client(timeout=30.0) as http:
        r = http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token))
        assert r.status_code == 200, r.text

        oidc_peer.delete_client(first)  # Nextcloud's cleanUp() of an expired DCR client
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and stored_client(server)["client_id"] == first:
            time.sleep(0.2)
        second = stored_client(server)["client_id"]
        assert second != first, "deleted client not registered again"
        assert oidc_peer.stats()["registrations"] == 2
        assert [c["client_id"] for c in oidc_peer.clients()] == [second]  # the deleted one is gone
        assert stat.S_IMODE(storage_path(server).stat().st_mode) == 0o600

        # Still serving, and after a restart the new client is reused.
        r = http.post(f"{server.url}/mcp", json=initialize_request(2), headers=mcp_post_headers(token))
        assert r.status_code == 200, r.text
    server.restart()
    assert stored_client(server)["client_id"] == second
    assert oidc_peer.stats()["registrations"] == 2
