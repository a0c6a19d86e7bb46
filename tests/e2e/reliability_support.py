"""Helpers of the reliability and security suites: raw MCP over HTTP (so a test sees every status,
header and JSON-RPC error exactly), the Rust load generator (examples/loadgen.rs), /proc memory
readings, and discovery of the tools the server under test serves (toolsets land at different
times; tests adapt to the tools that exist and say which were skipped)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import httpx

from tests.harness.processes import REPO
from tests.harness.server import server_binary

PROTOCOL = "2025-06-18"
POST_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def parse_answer(r: httpx.Response) -> list[dict]:
    """The JSON-RPC messages of a streamable-HTTP answer (JSON body or SSE `data:` events)."""
    if r.headers.get("content-type", "").startswith("text/event-stream"):
        out, data = [], []
        for line in r.text.splitlines() + [""]:
            if line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif not line and data:
                try:
                    out.append(json.loads("\n".join(data)))
                except json.JSONDecodeError:
                    pass
                data = []
        return out
    if not r.text.strip():
        return []
    try:
        body = r.json()
    except ValueError:  # a plain-text 4xx (e.g. the body is not valid JSON-RPC): no messages
        return []
    return body if isinstance(body, list) else [body]


class RawSession:
    """One MCP session over raw HTTP: `.call(method, params)` -> the JSON-RPC response message."""

    def __init__(self, base_url: str, token: str | None = None, client: httpx.Client | None = None,
                 timeout: float = 60.0) -> None:
        self.url = f"{base_url}/mcp"
        self.token = token
        self.http = client or httpx.Client(timeout=timeout)
        self.session_id: str | None = None
        self._ids = itertools.count(1)  # thread-safe under the GIL: a session may be shared by threads

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = dict(POST_HEADERS)
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        if self.session_id:
            h["Mcp-Session-Id"] = self.session_id
            h["MCP-Protocol-Version"] = PROTOCOL
        h.update(extra or {})
        return h

    def post(self, body: Any, extra: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        content = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.http.post(self.url, content=content, headers=self.headers(extra), **kw)

    def open(self) -> RawSession:
        r = self.post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                       "params": {"protocolVersion": PROTOCOL, "capabilities": {},
                                  "clientInfo": {"name": "reliability", "version": "1"}}})
        assert r.status_code == 200, f"initialize: {r.status_code} {r.text[:300]}"
        self.session_id = r.headers.get("mcp-session-id")
        r = self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert r.status_code in (200, 202), r.text
        return self

    def call(self, method: str, params: Any = None, **kw: Any) -> dict:
        rid = next(self._ids)
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            body["params"] = params
        r = self.post(body, **kw)
        assert r.status_code == 200, f"{method}: HTTP {r.status_code} {r.text[:300]}"
        for msg in parse_answer(r):
            if msg.get("id") == rid:
                return msg
        raise AssertionError(f"{method}: no answer with id {rid} in {r.text[:300]}")

    def tool(self, name: str, arguments: dict, **kw: Any) -> dict:
        """tools/call -> the JSON-RPC message (result or error)."""
        return self.call("tools/call", {"name": name, "arguments": arguments}, **kw)

    def tools(self) -> dict[str, dict]:
        msg = self.call("tools/list", {})
        return {t["name"]: t for t in msg["result"]["tools"]}


def result_text(msg: dict) -> str:
    """All text of a tools/call answer (result content, structured content or JSON-RPC error)."""
    if "error" in msg:
        return json.dumps(msg["error"])
    result = msg.get("result", {})
    parts = [c.get("text", "") for c in result.get("content", []) if isinstance(c, dict)]
    if result.get("structuredContent") is not None:
        parts.append(json.dumps(result["structuredContent"]))
    return "\n".join(parts)


def is_error(msg: dict) -> bool:
    return "error" in msg or bool(msg.get("result", {}).get("isError"))


# ---------------------------------------------------------------- load generator
def loadgen_binary() -> Path:
    """target/<profile>/examples/loadgen next to the server binary under test (built when missing)."""
    server = server_binary()
    path = server.parent / "examples" / "loadgen"
    if not path.exists():
        profile = ["--release"] if server.parent.name == "release" else []
        subprocess.run(["cargo", "build", "--example", "loadgen", *profile], cwd=REPO, check=True)
    return path


def loadgen(url: str, *, sessions: int, requests: int | None = None, duration: float | None = None,
            method: str = "tools/call", params: Any = None, token: str | None = None, timeout: float = 60.0,
            warmup: int = 0) -> dict:
    argv = [str(loadgen_binary()), "--url", url, "--sessions", str(sessions), "--method", method,
            "--timeout", str(timeout), "--warmup", str(warmup)]
    if duration is not None:
        argv += ["--duration", str(duration)]
    else:
        argv += ["--requests-per-session", str(requests or 1)]
    if params is not None:
        argv += ["--params", json.dumps(params)]
    if token:
        argv += ["--token", token]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"loadgen failed ({r.returncode}): {r.stderr[-1000:]}"
    return json.loads(r.stdout)


# ---------------------------------------------------------------- memory
def proc_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


class PeakRss:
    """Samples VmRSS of `pid` every 50 ms while in the `with` block; `.peak_mb`, `.hwm_mb` afterwards."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.hwm_kb = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRss:
        self.start_kb = proc_kb(self.pid, "VmRSS")
        self.peak_kb = self.start_kb
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.peak_kb = max(self.peak_kb, proc_kb(self.pid, "VmRSS"))
            except OSError:
                return

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        try:
            self.hwm_kb = proc_kb(self.pid, "VmHWM")
        except OSError:
            pass

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    @property
    def hwm_mb(self) -> float:
        return self.hwm_kb / 1024


# ---------------------------------------------------------------- fake data
def seed_note(nextcloud, user: str = "alice", password: str = "alice-app-password",
              title: str = "Reliability note", content: str = "secret content of alice") -> int | None:
    """Creates a note through the Notes API of the fake; None when the fake has no Notes app module."""
    r = httpx.post(f"{nextcloud.url}/index.php/apps/notes/api/v1/notes", auth=(user, password),
                   json={"title": title, "content": content, "category": ""}, timeout=10)
    if r.status_code >= 400:
        return None
    return int(r.json()["id"])


def server_pid(server) -> int:
    assert server.proc is not None
    return server.proc.pid


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
