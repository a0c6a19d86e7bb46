"""Issue 10 §6 (registration storm, JWKS, generic reasons, URL credentials, verify_tls) and
issue 11 §9 (basic mode with a wrong password), against the real OpenID provider and the fake."""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.harness import basic_mode, free_port, initialize_request, mcp_post_headers, server_binary

pytestmark = pytest.mark.e2e


def wait_for_readyz(server, timeout: float = 20.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(f"{server.url}/readyz", timeout=10)
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_rejected_client_is_registered_once_for_a_storm_of_garbage_tokens(mcp_server, oidc_peer):
    server = mcp_server({"auth": {"oauth": {"validation": {"methods": ["introspection"]}}}})
    ours = [c for c in oidc_peer.clients() if c.get("resource_url") == f"{server.url}/mcp"]
    assert len(ours) == 1, oidc_peer.clients()
    # The provider forgets our client (Nextcloud's cleanUp of an expired DCR client).
    oidc_peer.delete_client(ours[0]["client_id"])
    oidc_peer.reset_stats()

    def one(n: int) -> int:
        headers = mcp_post_headers(f"garbage-token-{n}-{time.monotonic_ns()}")
        with httpx.Client(timeout=30) as client:
            return client.post(f"{server.url}/mcp", json=initialize_request(), headers=headers).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(one, range(50)))
    assert statuses == [401] * 50, statuses
    assert oidc_peer.stats()["registrations"] == 1
    log = server.log_text()
    assert "cannot write the client registration file" not in log, server.log_tail()
    state_dir = Path(server.config["auth"]["oauth"]["client"]["registration"]["storage_path"]).parent
    assert sorted(p.name for p in state_dir.iterdir()) == ["oauth-client.json"]


def test_unavailable_provider_gets_a_generic_reason(mcp_server, oidc_peer, mint_token, http):
    server = mcp_server()
    token = mint_token("alice")
    oidc_peer.configure(userinfo_close=True)
    r = http.post(f"{server.url}/mcp", json=initialize_request(), headers=mcp_post_headers(token))
    assert r.status_code == 503, r.text
    body = r.text
    host = oidc_peer.issuer.split("://", 1)[1]
    for secret in (host, "userinfo", "/index.php/", "http://"):
        assert secret not in body, body
    assert "userinfo" in server.log_text()  # the operator still gets the detail


def test_url_credentials_never_shown(mcp_server, tmp_path):
    port = free_port()  # nothing listens there
    url = f"http://admin:s3cret-pw@127.0.0.1:{port}"
    server = mcp_server({**basic_mode(), "nextcloud": {"url": url}}, wait="none")
    r = wait_for_readyz(server)
    assert r.status_code == 503, r.text
    assert "s3cret-pw" not in r.text and "REDACTED" in r.text, r.text
    time.sleep(0.5)
    assert "s3cret-pw" not in server.log_text(), server.log_tail()
    out = subprocess.run([str(server_binary()), "check-config", "--config", str(server.config_path)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "s3cret-pw" not in out.stdout + out.stderr and "admin:REDACTED@" in out.stdout, out.stdout


def test_basic_mode_with_a_wrong_password_is_not_ready(mcp_server):
    server = mcp_server(basic_mode(password="not-the-app-password"), wait="none")
    r = wait_for_readyz(server)
    deadline = time.monotonic() + 10
    while r.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        r = wait_for_readyz(server)
    assert r.status_code == 503, r.text
    reason = json.dumps(r.json())
    assert "auth.basic" in reason and "app password" in reason, reason
    errors = [line for line in server.log_text().splitlines() if "refused the login of auth.basic" in line]
    assert errors, server.log_tail()
    # The advice for OAuth (user_oidc) is not given to a basic-mode admin.
    assert "user_oidc" not in reason

    good = mcp_server(basic_mode())
    assert httpx.get(f"{good.url}/readyz").status_code == 200


@pytest.fixture
def self_signed_discovery(oidc_peer, tmp_path):
    """An HTTPS server with a self-signed certificate (another origin than Nextcloud) serving
    the real provider's discovery document."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    doc = httpx.get(oidc_peer.discovery_url).json()
    body = json.dumps(doc).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}/.well-known/openid-configuration"
    httpd.shutdown()


def test_verify_tls_false_applies_to_the_nextcloud_host_only(mcp_server, self_signed_discovery):
    server = mcp_server({"nextcloud": {"verify_tls": False},
                         "auth": {"oauth": {"discovery_url": self_signed_discovery}}}, wait="none")
    deadline = time.monotonic() + 8
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(wait_for_readyz(server).status_code)
        time.sleep(0.3)
    assert 200 not in statuses, "the provider's self-signed certificate was accepted"
    log = server.log_text()
    assert "verify_tls is false" in log, server.log_tail()
    assert "discovery" in log, server.log_tail()


def test_url_credentials_never_shown_in_oauth_discovery_errors(mcp_server):
    """The default discovery URL is derived from nextcloud.url, credentials included."""
    from tests.harness import DELETE

    url = f"http://admin:s3cret-pw@127.0.0.1:{free_port()}"
    server = mcp_server({"nextcloud": {"url": url}, "auth": {"oauth": {"discovery_url": DELETE}}}, wait="none")
    deadline = time.monotonic() + 6
    r = wait_for_readyz(server)
    while "discovery" not in r.text and time.monotonic() < deadline:
        time.sleep(0.3)
        r = wait_for_readyz(server)
    assert r.status_code == 503 and "discovery" in r.text, r.text
    assert "s3cret-pw" not in r.text, r.text
    assert "s3cret-pw" not in server.log_text(), server.log_tail()
