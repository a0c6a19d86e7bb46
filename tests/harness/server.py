"""Starting the nextcloud-mcp binary under test with a generated YAML config."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from .processes import REPO, free_port, tail


class _Delete:
    """Marker: `deep_merge(base, {"a": DELETE})` removes key `a` from the default config."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if value is DELETE:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def server_binary() -> Path:
    path = Path(os.environ.get("NEXTCLOUD_MCP_BIN", "target/debug/nextcloud-mcp"))
    return path if path.is_absolute() else REPO / path


class ServerNotReady(RuntimeError):
    pass


class McpServer:
    """One nextcloud-mcp process: `.url`, `.log_text()`, `.stop()`, `.restart()`, `.exit_code`."""

    def __init__(self, config: dict[str, Any], workdir: Path, port: int, env: dict[str, str] | None = None,
                 name: str = "nextcloud-mcp") -> None:
        self.config = config
        self.workdir = workdir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.config_path = workdir / "config.yaml"
        self.log_path = workdir / "server.log"
        self.name = name
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.exit_code: int | None = None
        self.starts = 0
        self.ready_seconds: float | None = None

    def write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(yaml.safe_dump(self.config, sort_keys=False))
        return self.config_path

    def start(self, wait: str = "ready", timeout: float = 30.0) -> McpServer:
        """wait: "ready" (GET /readyz == 200; raises ServerNotReady with the log otherwise),
        "exit" (until the process exits; `.exit_code` set), or "none"."""
        binary = server_binary()
        if not binary.exists():
            raise ServerNotReady(
                f"server binary {binary} not found: build it with `cargo build` (or set NEXTCLOUD_MCP_BIN)")
        self.write_config()
        self.exit_code = None
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {binary} serve --config {self.config_path}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [str(binary), "serve", "--config", str(self.config_path)],
                cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        started = time.monotonic()
        if wait == "ready":
            self.wait_ready(timeout)
            self.ready_seconds = time.monotonic() - started
        elif wait == "exit":
            try:
                self.exit_code = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                raise ServerNotReady(
                    f"{self.name} still running after {timeout}s (expected it to exit):\n{self.log_tail()}") from None
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        last = "no answer"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                code = self.proc.poll()
                if code is not None:
                    self.exit_code = code
                    raise ServerNotReady(f"{self.name} exited with code {code} before ready:\n{self.log_tail()}")
                try:
                    r = client.get(f"{self.url}/readyz")
                    if r.status_code == 200:
                        return
                    last = f"{r.status_code} {r.text[:300]}"
                except httpx.HTTPError as exc:
                    last = repr(exc)
                time.sleep(0.05)
        raise ServerNotReady(f"{self.name} not ready after {timeout}s (last /readyz: {last}):\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 15.0) -> int | None:
        """Graceful stop (SIGTERM to the process), SIGKILL after `timeout`. Returns the exit code."""
        if self.proc is None:
            return self.exit_code
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.exit_code = self.proc.returncode
        return self.exit_code

    def restart(self, wait: str = "ready", timeout: float = 30.0) -> McpServer:
        self.stop()
        return self.start(wait=wait, timeout=timeout)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 150) -> str:
        return tail(self.log_text(), lines)


def default_config(*, fake_url: str, discovery_url: str, workdir: Path, port: int) -> dict[str, Any]:
    public_url = f"http://127.0.0.1:{port}"
    return {
        "server": {
            "listen": f"127.0.0.1:{port}",
            "public_url": public_url,
            "stateful": True,
            "shutdown_timeout": 2,
        },
        "nextcloud": {
            "url": fake_url,
            "timeout": 10,
            "connect_timeout": 3,
        },
        "auth": {
            "mode": "oauth",
            "oauth": {
                "discovery_url": discovery_url,
                "client": {
                    "registration": {
                        "storage_path": str(workdir / "state" / "oauth-client.json"),
                        "client_name": "nextcloud-mcp e2e",
                        "scopes": ["openid", "profile", "email"],
                        "redirect_uris": [f"{public_url}/oauth/callback"],
                    },
                },
                "scopes": ["openid", "profile", "email"],
            },
        },
        "logging": {"level": "debug", "format": "text"},
    }


def basic_mode(username: str = "alice", password: str = "alice-app-password",
               bearer_token: str | None = None) -> dict[str, Any]:
    """Config overrides for `auth.mode: basic` against the fake's users (the oauth defaults removed)."""
    basic: dict[str, Any] = {"username": username, "password": password}
    if bearer_token is not None:
        basic["bearer_token"] = bearer_token
    return {"auth": {"mode": "basic", "oauth": DELETE, "basic": basic}}


def new_server(config: dict[str, Any], *, fake_url: str, discovery_url: str, workdir: Path,
               env: dict[str, str] | None = None) -> McpServer:
    port = free_port()
    base = default_config(fake_url=fake_url, discovery_url=discovery_url, workdir=workdir, port=port)
    return McpServer(deep_merge(base, config), workdir, port, env=env)
