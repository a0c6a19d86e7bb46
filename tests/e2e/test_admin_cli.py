"""Issue 14 §2 and §7 from the admin's side: `--help` says no subcommand means `serve`; a missing
config file is named once with the way out (--config, the example, or environment variables);
`healthcheck` says why it failed; a connection failure to Nextcloud names its cause (refused,
DNS) in /readyz and in the log instead of "error sending request"; unknown tool names in
`toolsets.tools.include` are refused with the closest match; `check-config` prints effective
values, no nulls."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.harness import basic_mode, free_port, server_binary

pytestmark = pytest.mark.e2e


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEXTCLOUD_")}
    return subprocess.run([str(server_binary()), *args], capture_output=True, text=True, timeout=60,
                          env={**clean, **(env or {})}, cwd=cwd)


def test_help_says_serve_is_the_default():
    out = run("--help").stdout
    assert "Without a subcommand it runs `serve`" in out, out


def test_missing_config_file_is_named_once_with_the_way_out(tmp_path):
    missing = tmp_path / "nope.yaml"
    result = run("check-config", "--config", str(missing))
    assert result.returncode == 2
    assert result.stderr.count(str(missing)) == 1, result.stderr
    assert "--config" in result.stderr and "config/nextcloud-mcp.example.yaml" in result.stderr, result.stderr


def test_no_config_and_no_environment_explains_both_ways():
    result = run("check-config")
    assert result.returncode == 2
    assert "--config" in result.stderr and "NEXTCLOUD_HOST" in result.stderr, result.stderr


def test_healthcheck_says_why_it_failed(tmp_path):
    port = free_port()
    config = tmp_path / "c.yaml"
    config.write_text(f"server:\n  listen: 127.0.0.1:{port}\nnextcloud:\n  url: http://127.0.0.1:1\n"
                      "auth:\n  mode: basic\n  basic: {username: a, password: b}\n")
    result = run("healthcheck", "--config", str(config))
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stderr and "refused" in result.stderr, result.stderr


def test_unknown_included_tool_is_refused_with_the_closest_match(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("nextcloud:\n  url: http://127.0.0.1:1\nauth:\n  mode: basic\n  basic: {username: a, password: b}\n"
                      "toolsets:\n  tools:\n    include: [nc_notes_get_nte]\n")
    result = run("check-config", "--config", str(config))
    assert result.returncode == 2
    assert "toolsets.tools.include" in result.stderr and "line 8" in result.stderr, result.stderr
    assert "did you mean `nc_notes_get_note`" in result.stderr, result.stderr


def test_check_config_prints_effective_values(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("nextcloud:\n  url: https://cloud.example.com\n")
    result = run("check-config", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "null" not in result.stdout, result.stdout
    for expected in ("mode: oauth", "registration:", "redirect_uris:", "- notes",
                     "discovery_url: https://cloud.example.com/.well-known/openid-configuration"):
        assert expected in result.stdout, f"{expected!r} missing:\n{result.stdout}"


def readyz_reason(mcp_server, nextcloud_url: str) -> tuple[str, str]:
    server = mcp_server({**basic_mode(), "nextcloud": {"url": nextcloud_url}}, wait="none")
    deadline = time.monotonic() + 20
    body: dict = {}
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{server.url}/readyz", timeout=15)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        body = response.json()
        if response.status_code == 503:
            break
        time.sleep(0.2)
    return body["checks"]["nextcloud"], server.log_text()


def test_readyz_names_a_refused_connection(mcp_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    reason, log = readyz_reason(mcp_server, f"http://127.0.0.1:{port}")
    assert f"connection to 127.0.0.1:{port} refused" in reason, reason
    assert "error sending request" not in reason, reason
    logged = [line for line in log.splitlines() if "not ready:" in line]
    assert logged and f"connection to 127.0.0.1:{port} refused" in logged[0], log


def test_readyz_names_a_dns_failure(mcp_server):
    reason, _ = readyz_reason(mcp_server, "http://nextcloud.invalid")
    assert "DNS lookup of nextcloud.invalid:80 failed" in reason, reason


def test_the_log_names_the_cause_of_an_oidc_discovery_failure(mcp_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = mcp_server({"auth": {"oauth": {"discovery_url": f"http://127.0.0.1:{port}/.well-known/openid-configuration"}}},
                        wait="none")
    deadline = time.monotonic() + 20
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = [line for line in server.log_text().splitlines() if "discovery" in line and " WARN " in line]
        if lines:
            break
        time.sleep(0.2)
    assert lines, server.log_text()
    assert f"connection to 127.0.0.1:{port} refused" in lines[0], lines[0]
    assert "error sending request" not in lines[0], lines[0]
