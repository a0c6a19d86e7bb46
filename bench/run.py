#!/usr/bin/env python3
"""Benchmark nextcloud-mcp (release build) against the reference Python server (PyPI
`nextcloud-mcp-server`), both in single-user basic-auth mode against the same Nextcloud contract
fake, driven by the same load generator (examples/loadgen.rs) over streamable HTTP.

    python3 bench/run.py                      # full run (~15 min on 2 shared cores)
    python3 bench/run.py --quick              # smoke run: 1 s per case, 1 and 16 sessions
    python3 bench/run.py --skip-reference     # ours only

Needs: `scripts/install-test-deps.sh` (the fake and the OIDC peer), cargo. The reference server is
installed into bench/.work/venv on first use (`pip install nextcloud-mcp-server`).
Writes bench/results/<date>.md, <date>.json and <date>.svg; prints the table. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness.peers import NextcloudFake, OidcPeer  # noqa: E402
from tests.harness.processes import free_port  # noqa: E402
from tests.harness.server import basic_mode, deep_merge, default_config  # noqa: E402

WORK = REPO / "bench" / ".work"
RESULTS = REPO / "bench" / "results"
VENV = WORK / "venv"
USER, PASSWORD = "alice", "alice-app-password"
CLK_TCK = os.sysconf("SC_CLK_TCK")
NOTES = 1000
DIR_ENTRIES = 500
BIG_FILE = 1024 * 1024

# The benchmarked tools: (tool, arguments factory given the seed, the floor request).
CASES = ["nc_notes_get_note", "nc_notes_search_notes", "nc_webdav_list_directory", "nc_webdav_read_file"]


def optimised_build_env(target: str = "x86_64-unknown-linux-gnu") -> dict[str, str]:
    """The environment of a release or image build: rustc gets the recorded profile (PGO,
    docs/decisions/0011-pgo.md). The path is absolute: rustc runs in each crate's directory."""
    return dict(os.environ, RUSTFLAGS=f"-Cprofile-use={REPO / 'pgo' / f'{target}.profdata'}")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------- processes and /proc
def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    return total


def evict_from_page_cache(path: Path) -> None:
    """Drops `path`'s pages from the page cache, so that a server started from it next maps its
    code as after a reboot or a fresh container: idle RSS counts the file pages a fault maps
    around it, and those are the pages already cached, so without this the figure follows
    whatever read the file last (two copies of one binary measured 1-2 MiB apart)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # dirty pages (a binary just built or copied) cannot be dropped
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def status_kb(pid: int, key: str) -> int:
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class RssSampler:
    """Samples the process tree's VmRSS every 50 ms; `.peak_mb` after `stop()`."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, status_kb(pid, "VmRSS")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kb = max(self.peak_kb, status_kb(self.pid, "VmRSS"))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)


# ---------------------------------------------------------------- MCP over HTTP (setup only)
def mcp_rpc(url: str, method: str, params: dict, session: str | None = None, token: str | None = None,
            timeout: float = 10.0, client: httpx.Client | None = None) -> tuple[dict | None, str | None]:
    """One JSON-RPC call. Without `client`, on a new connection; with one, on its keep-alive pool."""
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
               "MCP-Protocol-Version": "2025-06-18"}
    if session:
        headers["Mcp-Session-Id"] = session
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    r = (client or httpx).post(url, json=body, headers=headers, timeout=timeout, follow_redirects=True)
    sid = r.headers.get("mcp-session-id", session)
    if r.status_code >= 400:
        raise RuntimeError(f"{method}: HTTP {r.status_code} {r.text[:300]}")
    text = r.text
    if r.headers.get("content-type", "").startswith("text/event-stream"):
        for line in text.splitlines():
            if line.startswith("data:"):
                try:
                    msg = json.loads(line[5:].strip())
                except json.JSONDecodeError:
                    continue
                if msg.get("id") == 1:
                    return msg, sid
        return None, sid
    return (json.loads(text) if text.strip() else None), sid


def mcp_open(url: str, token: str | None = None, client: httpx.Client | None = None) -> str | None:
    """Opens a session (initialize + notifications/initialized); on `client`'s pool if given."""
    _, sid = mcp_rpc(url, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                          "clientInfo": {"name": "bench", "version": "1"}}, token=token,
                     client=client)
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    if sid:
        headers["Mcp-Session-Id"] = sid
    if token:
        headers["Authorization"] = f"Bearer {token}"
    (client or httpx).post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers,
                           timeout=10, follow_redirects=True)
    return sid


def list_tools(url: str, token: str | None = None) -> set[str]:
    sid = mcp_open(url, token)
    msg, _ = mcp_rpc(url, "tools/list", {}, session=sid, token=token)
    return {t["name"] for t in (msg or {}).get("result", {}).get("tools", [])}


def tool_list_size(url: str, token: str | None = None) -> dict:
    """Bytes of the tools/list result (compact JSON), in total and what a model reads (name +
    description + input schema), as tests/e2e/test_model_tool_list.py prints them (issue 15)."""
    sid = mcp_open(url, token)
    msg, _ = mcp_rpc(url, "tools/list", {}, session=sid, token=token)
    result = (msg or {}).get("result", {})
    tools = result.get("tools", [])

    def size(v: Any) -> int:
        return len(json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode())
    visible = sum(len(t["name"].encode()) + len(t.get("description", "").encode()) + size(t.get("inputSchema", {}))
                  for t in tools)
    return {"tools": len(tools), "bytes": size(result), "model_visible_bytes": visible}


def call_tool(url: str, name: str, arguments: dict, token: str | None = None) -> dict:
    sid = mcp_open(url, token)
    msg, _ = mcp_rpc(url, "tools/call", {"name": name, "arguments": arguments}, session=sid, token=token,
                     timeout=60)
    return (msg or {}).get("result", {})


# ---------------------------------------------------------------- servers
class Server:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], mcp_url: str, log_path: Path,
                 ready_url: str | None = None, token: str | None = None) -> None:
        self.name, self.argv, self.env, self.mcp_url = name, argv, env, mcp_url
        self.log_path, self.ready_url, self.token = log_path, ready_url, token
        self.proc: subprocess.Popen | None = None
        self.ready_s = self.initialize_s = 0.0

    def start(self, timeout: float = 90.0) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = open(self.log_path, "ab")  # noqa: SIM115
        started = time.monotonic()
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.log_path.parent)
        deadline = started + timeout
        ready = self.ready_url is None
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
                try:
                    if not ready:
                        if client.get(self.ready_url).status_code == 200:
                            ready = True
                            self.ready_s = time.monotonic() - started
                    if ready:
                        mcp_open(self.mcp_url, self.token)
                        self.initialize_s = time.monotonic() - started
                        if self.ready_url is None:
                            self.ready_s = self.initialize_s
                        return self
                except (httpx.HTTPError, RuntimeError, json.JSONDecodeError):
                    pass
                time.sleep(0.005)
        raise RuntimeError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)


def ours(fake: NextcloudFake, peer: OidcPeer, binary: Path, workdir: Path, mode: str = "basic",
         extra: dict | None = None, token: str | None = None) -> Server:
    port = free_port()
    cfg = default_config(fake_url=fake.url, discovery_url=peer.discovery_url, workdir=workdir, port=port)
    if mode == "basic":
        cfg = deep_merge(cfg, basic_mode(USER, PASSWORD))
    cfg = deep_merge(cfg, {"logging": {"level": "warn"}, "server": {"shutdown_timeout": 1}, **(extra or {})})
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    base = f"http://127.0.0.1:{port}"
    return Server(f"nextcloud-mcp ({mode})", [str(binary), "serve", "--config", str(workdir / "config.yaml")],
                  dict(os.environ), f"{base}/mcp", workdir / "server.log", ready_url=f"{base}/readyz", token=token)


def install_reference() -> tuple[Path | None, str]:
    """(executable, version) of the reference server, installing it into bench/.work/venv."""
    exe = VENV / "bin" / "nextcloud-mcp-server"
    if not exe.exists():
        log("installing the reference server (pip install nextcloud-mcp-server) into bench/.work/venv")
        WORK.mkdir(parents=True, exist_ok=True)
        if not (VENV / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        r = subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "nextcloud-mcp-server"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None, f"pip install failed: {r.stderr.strip()[-500:]}"
    version = subprocess.run([str(VENV / "bin" / "python"), "-c",
                              "import importlib.metadata as m; print(m.version('nextcloud-mcp-server'))"],
                             capture_output=True, text=True).stdout.strip()
    return exe, version


def reference(fake: NextcloudFake, exe: Path) -> Server:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NEXTCLOUD_", "OIDC_"))},
        "NEXTCLOUD_HOST": fake.url,
        "NEXTCLOUD_USERNAME": USER,
        "NEXTCLOUD_PASSWORD": PASSWORD,
        "NEXTCLOUD_VERIFY_SSL": "false",
        "LOG_LEVEL": "WARNING",
        "VECTOR_SYNC_ENABLED": "false",
        "ENABLE_SEMANTIC_SEARCH": "false",
        "HOME": str(WORK / "reference-home"),
    }
    argv = [str(exe), "run", "--transport", "streamable-http", "--host", "127.0.0.1", "--port", str(port),
            "--no-oauth", "--log-level", "warning", "--enable-app", "notes", "--enable-app", "webdav"]
    extra = os.environ.get("BENCH_REFERENCE_ARGS")
    if extra:
        argv += extra.split()
    (WORK / "reference-home").mkdir(parents=True, exist_ok=True)
    return Server("reference", argv, env, f"http://127.0.0.1:{port}/mcp", WORK / "reference" / "server.log")


# ---------------------------------------------------------------- seeding the fake
def seed(fake: NextcloudFake) -> dict[str, Any]:
    """Seeds through Nextcloud's own APIs, so it works with whatever the fake's app modules store."""
    auth = (USER, PASSWORD)
    out: dict[str, Any] = {"skipped": {}}
    with httpx.Client(base_url=fake.url, auth=auth, timeout=30) as c:
        notes_url = "/index.php/apps/notes/api/v1/notes"
        r = c.post(notes_url, json={"title": "Seed", "content": "probe", "category": ""})
        if r.status_code >= 400:
            out["skipped"]["notes"] = f"the fake has no Notes API (POST {notes_url} -> {r.status_code})"
        else:
            words = ["alpha", "budget", "meeting", "garden", "invoice", "travel", "recipe", "project"]
            first = r.json()["id"]
            for i in range(1, NOTES):
                w = words[i % len(words)]
                c.post(notes_url, json={"title": f"{w.capitalize()} note {i}", "category": w,
                                        "content": f"# {w} {i}\n\nSome text about {w} and item {i}.\n" * 3})
            out["note_id"] = first + NOTES // 2
            out["notes"] = NOTES
        dav = f"/remote.php/dav/files/{USER}"
        r = c.request("MKCOL", f"{dav}/bench")
        if r.status_code not in (201, 405):
            out["skipped"]["files"] = f"the fake has no WebDAV files (MKCOL -> {r.status_code})"
        else:
            c.request("MKCOL", f"{dav}/bench/many")
            for i in range(DIR_ENTRIES):
                c.put(f"{dav}/bench/many/file-{i:04d}.txt", content=f"file {i}\n".encode())
            line = b"The quick brown fox jumps over the lazy dog 0123456789.\n"
            big = (line * (BIG_FILE // len(line) + 1))[:BIG_FILE]
            c.put(f"{dav}/bench/big.txt", content=big)
            out["files"] = DIR_ENTRIES
    return out


def tool_arguments(tool: str, seed_info: dict) -> dict:
    return {
        "nc_notes_get_note": {"note_id": seed_info.get("note_id", 1)},
        "nc_notes_search_notes": {"query": "budget meeting"},
        "nc_webdav_list_directory": {"path": "bench/many"},
        "nc_webdav_read_file": {"path": "bench/big.txt"},
    }[tool]


def floor_request(tool: str, fake: NextcloudFake, seed_info: dict) -> tuple[str, str, list[str]]:
    """The Nextcloud call behind each tool, for the plain-HTTP floor: (method, url, headers)."""
    dav = f"{fake.url}/remote.php/dav/files/{USER}"
    return {
        "nc_notes_get_note": ("GET", f"{fake.url}/index.php/apps/notes/api/v1/notes/{seed_info.get('note_id', 1)}", []),
        "nc_notes_search_notes": ("GET", f"{fake.url}/index.php/apps/notes/api/v1/notes", []),
        "nc_webdav_list_directory": ("PROPFIND", f"{dav}/bench/many", ["Depth: 1"]),
        "nc_webdav_read_file": ("GET", f"{dav}/bench/big.txt", []),
    }[tool]


# ---------------------------------------------------------------- load
def loadgen(binary: Path, url: str, sessions: int, duration: float, method: str, params: Any = None,
            token: str | None = None, basic: str | None = None, headers: list[str] | None = None,
            warmup: int = 2) -> dict:
    argv = [str(binary), "--url", url, "--sessions", str(sessions), "--duration", str(duration),
            "--method", method, "--warmup", str(warmup), "--timeout", "60"]
    if params is not None:
        argv += ["--params", json.dumps(params)]
    # `--opt=value`: an opaque token may begin with '-', which clap would read as an option.
    if token:
        argv.append(f"--token={token}")
    if basic:
        argv.append(f"--basic={basic}")
    for h in headers or []:
        argv.append(f"--header={h}")
    r = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 600)
    if r.returncode != 0:
        raise RuntimeError(f"loadgen failed: {r.stderr[-500:]}")
    return json.loads(r.stdout)


def measure(server: Server, binary: Path, sessions: int, duration: float, method: str, params: Any) -> dict:
    cpu0 = cpu_seconds(server.pid)
    sampler = RssSampler(server.pid)
    res = loadgen(binary, server.mcp_url, sessions, duration, method, params, token=server.token)
    res["peak_rss_mb"] = sampler.stop()
    cpu = cpu_seconds(server.pid) - cpu0
    # CPU includes the warm-up and the session set-up; divide by all answered calls.
    calls = res["ok"] + sessions * 3
    res["cpu_s_per_1000"] = cpu / calls * 1000 if calls else 0.0
    return res


# ---------------------------------------------------------------- output
def fmt(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def machine() -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    keep = ("Architecture", "CPU(s):", "Model name", "Thread(s) per core", "Core(s) per socket", "CPU max MHz",
            "Hypervisor vendor", "L3 cache")
    lines = [ln.strip() for ln in lscpu.splitlines() if ln.strip().startswith(keep)]
    free = subprocess.run(["free", "-m"], capture_output=True, text=True).stdout.strip()
    load = Path("/proc/loadavg").read_text().split()[:3]
    return ("\n".join(lines) + f"\n\n{free}\n\nkernel {platform.release()}; load average at start "
            f"{' '.join(load)} (2 cores shared with other engineers' builds and tests while this ran)")


def svg_chart(rows: list[dict], path: Path) -> None:
    """Grouped bars: throughput of ours vs the reference per (tool, sessions) at 0 ms latency."""
    groups: dict[tuple, dict[str, float]] = {}
    # The canned backend's figures when there are any (the servers' own speed), else the fake's at 0 ms.
    want = "canned" if any(r["latency_ms"] == "canned" for r in rows) else 0
    for r in rows:
        if r["latency_ms"] != want or r["server"] not in ("ours", "reference"):
            continue
        groups.setdefault((r["tool"], r["sessions"]), {})[r["server"]] = r["throughput"]
    if not groups:
        return
    keys = sorted(groups, key=lambda k: (CASES.index(k[0]) if k[0] in CASES else 99, k[1]))
    w, h, left, bottom, top = max(640, 70 * len(keys) + 120), 420, 70, 120, 40
    vmax = max(v for g in groups.values() for v in g.values()) or 1.0
    plot_h = h - bottom - top
    bw = 22
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">Throughput (calls/s), '
             f'{"canned backend" if want == "canned" else "Python fake, 0 ms injected latency"}; higher is better</text>']
    for i in range(5):
        v = vmax * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{w - 20}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    for i, key in enumerate(keys):
        x0 = left + 20 + i * 70
        for j, (server, colour) in enumerate((("ours", "#0082c9"), ("reference", "#e9a23b"))):
            v = groups[key].get(server)
            if v is None:
                continue
            bh = plot_h * v / vmax
            parts.append(f'<rect x="{x0 + j * bw}" y="{top + plot_h - bh:.1f}" width="{bw - 2}" height="{bh:.1f}" '
                         f'fill="{colour}"><title>{server} {key[0]} x{key[1]}: {v:,.1f}/s</title></rect>')
        label = f"{key[0].replace('nc_', '').replace('notes_', 'n.').replace('webdav_', 'f.')} ×{key[1]}"
        parts.append(f'<text transform="translate({x0 + bw},{top + plot_h + 10}) rotate(45)">{label}</text>')
    parts.append(f'<rect x="{w - 200}" y="32" width="12" height="12" fill="#0082c9"/><text x="{w - 184}" y="42">nextcloud-mcp (Rust)</text>')
    parts.append(f'<rect x="{w - 200}" y="50" width="12" height="12" fill="#e9a23b"/><text x="{w - 184}" y="60">reference (Python)</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts))


# ---------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=3.0, help="seconds per case (default 3)")
    ap.add_argument("--sessions", default="1,16,64")
    ap.add_argument("--latencies", default="0,5", help="injected fake latency in ms")
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--quick", action="store_true", help="1 s per case, sessions 1,16")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-canned", action="store_true", help="skip the canned-backend table")
    ap.add_argument("--canned-only", action="store_true", help="only the canned-backend table (no fake matrix)")
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--binary", help="the nextcloud-mcp binary to measure (default: the release build); e.g. the "
                    "container image's static musl build, whose allocator differs (docs/decisions/0008-image-allocator.md)")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.sessions = 1.0, "1,16"
    sessions_list = [int(s) for s in args.sessions.split(",")]
    latencies = [int(s) for s in args.latencies.split(",")]
    t_start = time.monotonic()
    if not args.no_build:
        # Two invocations: built together with the examples, the server's dependencies get the
        # dev-dependencies' features too, hence other symbol names than a plain
        # `cargo build --release`, and link/startup-order.ld (made from a plain build) matches few.
        # Both with the recorded profile (decision 0011): the server is measured as it ships, and
        # the dependencies the two builds share are not rebuilt for each other's flags.
        log(("" if args.binary else "cargo build --release --bin nextcloud-mcp; ")
            + "cargo build --release --example loadgen --example canned_backend (RUSTFLAGS=-Cprofile-use=...)")
        env = optimised_build_env()
        if not args.binary:
            subprocess.run(["cargo", "build", "--release", "--bin", "nextcloud-mcp"], cwd=REPO, check=True, env=env)
        subprocess.run(["cargo", "build", "--release", "--example", "loadgen", "--example", "canned_backend"],
                       cwd=REPO, check=True, env=env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary, gen = target / "release" / "nextcloud-mcp", target / "release" / "examples" / "loadgen"
    if args.binary:
        binary = Path(args.binary).resolve()
    env_info = machine()
    WORK.mkdir(parents=True, exist_ok=True)
    run_dir = WORK / time.strftime("run-%Y%m%d-%H%M%S")
    peer = OidcPeer(run_dir).start()
    fake = NextcloudFake(run_dir, peer.issuer)
    fake.process.argv[2] = "bench.fake"  # the contract fake + bench/fake_apps where it has no Notes/WebDAV yet
    fake.start()
    servers: list[Server] = []
    rows: list[dict] = []
    core: dict[str, Any] = {}
    notes: list[str] = []
    ref_version = ""
    try:
        log(f"fake {fake.url}, peer {peer.issuer}; seeding")
        seed_info = seed(fake)
        for what, why in seed_info["skipped"].items():
            notes.append(f"{what} not seeded: {why}")
        # ---- ours, basic mode: start-up, idle memory, tools
        ours_srv = ours(fake, peer, binary, run_dir / "ours")
        evict_from_page_cache(binary)
        ours_srv.start()
        servers.append(ours_srv)
        time.sleep(1.0)
        core["ours_ready_s"], core["ours_initialize_s"] = ours_srv.ready_s, ours_srv.initialize_s
        core["ours_idle_rss_mb"] = status_kb(ours_srv.pid, "VmRSS") / 1024
        ours_tools = list_tools(ours_srv.mcp_url)
        core["ours_tool_list"] = tool_list_size(ours_srv.mcp_url)
        log(f"ours tools/list: {core['ours_tool_list']}")
        log(f"ours ready in {ours_srv.ready_s * 1000:.0f} ms, idle RSS {core['ours_idle_rss_mb']:.1f} MiB, "
            f"{len(ours_tools)} tools")
        # ---- reference
        ref_srv: Server | None = None
        ref_tools: set[str] = set()
        ref_exe = None
        if not args.skip_reference:
            exe, ref_version = install_reference()
            ref_exe = exe
            if exe is None:
                notes.append(f"reference server not run: {ref_version}")
            else:
                try:
                    ref_srv = reference(fake, exe).start(timeout=120)
                    servers.append(ref_srv)
                    time.sleep(1.0)
                    core["ref_ready_s"] = ref_srv.initialize_s
                    core["ref_idle_rss_mb"] = status_kb(ref_srv.pid, "VmRSS") / 1024
                    ref_tools = list_tools(ref_srv.mcp_url)
                    core["ref_tool_list"] = tool_list_size(ref_srv.mcp_url, ref_srv.token)
                    log(f"reference tools/list: {core['ref_tool_list']}")
                    log(f"reference {ref_version} ready in {ref_srv.initialize_s * 1000:.0f} ms, idle RSS "
                        f"{core['ref_idle_rss_mb']:.1f} MiB, {len(ref_tools)} tools")
                except Exception as exc:  # noqa: BLE001 - reported in the results
                    notes.append(f"reference server could not run: {exc}".splitlines()[0][:400])
                    log(notes[-1])
                    ref_srv = None
        # ---- which tools can be benchmarked
        tools = []
        for tool in CASES:
            app = "notes" if "notes" in tool else "files"
            if app in seed_info["skipped"]:
                notes.append(f"{tool} skipped: {seed_info['skipped'][app]}")
            elif tool not in ours_tools:
                notes.append(f"{tool} skipped: not (yet) implemented by nextcloud-mcp on this branch")
            else:
                tools.append(tool)
        for tool in tools:  # one correctness probe per tool and server before timing it
            for srv in [s for s in servers]:
                if srv is ref_srv and tool not in ref_tools:
                    continue
                res = call_tool(srv.mcp_url, tool, tool_arguments(tool, seed_info), srv.token)
                if res.get("isError"):
                    notes.append(f"{srv.name}: {tool} probe returned isError: "
                                 f"{json.dumps(res.get('content'))[:300]}")
        # ---- the canned backend: the servers' own cost (issue 16)
        if not args.no_canned and tools:
            exe = ref_exe if ref_srv is not None else None
            canned_rows = canned_phase(args, fake, peer, binary, target, run_dir, seed_info, tools, exe,
                                       sessions_list, core, notes)
            rows.extend(canned_rows)
        if args.canned_only:
            latencies = []
        # ---- the matrix (the Python fake: a realistic, slow backend)
        for latency in latencies:
            fake.set_latency(latency)
            for tool in tools:
                method, furl, fheaders = floor_request(tool, fake, seed_info)
                for n in sessions_list:
                    res = loadgen(gen, furl, n, args.duration, method, basic=f"{USER}:{PASSWORD}", headers=fheaders)
                    rows.append(row("floor (direct HTTP)", tool, latency, n, res))
                    targets = [("ours", ours_srv)]
                    if ref_srv is not None and tool in ref_tools:
                        targets.append(("reference", ref_srv))
                    for label, srv in targets:
                        res = measure(srv, gen, n, args.duration, "tools/call",
                                      {"name": tool, "arguments": tool_arguments(tool, seed_info)})
                        rows.append(row(label, tool, latency, n, res))
                        log(f"{label:9} {tool:26} {latency}ms x{n:<3} {res['throughput']:8.1f}/s "
                            f"p50 {res['latency_ms']['p50']:7.2f} p99 {res['latency_ms']['p99']:7.2f} ms "
                            f"err {res['errors']}+{res['tool_errors']} rss {res['peak_rss_mb']:.0f} MiB")
        fake.set_latency(0)
        core["ours_peak_rss_mb"] = status_kb(ours_srv.pid, "VmHWM") / 1024
        if ref_srv is not None:
            core["ref_peak_rss_mb"] = status_kb(ref_srv.pid, "VmHWM") / 1024
        for srv in servers:
            srv.stop()
        servers.clear()
        # ---- OAuth mode (ours): cached vs cold token checks
        oauth_rows = [] if args.canned_only else None
        if oauth_rows is None:
            oauth_rows = oauth_bench(fake, peer, binary, gen, run_dir, args.duration, core)
        rows.extend(oauth_rows)
    finally:
        for srv in servers:
            srv.stop()
        fake.stop()
        peer.stop()
    elapsed = time.monotonic() - t_start
    write_results(Path(args.out), rows, core, notes, env_info, ref_version, elapsed, args)
    return 0


def canned_phase(args, fake, peer, binary: Path, target: Path, run_dir: Path, seed_info: dict, tools: list[str],
                 ref_exe: Path | None, sessions_list: list[int], core: dict, notes: list[str]) -> list[dict]:
    """Records each case's Nextcloud traffic through a proxy, then runs both servers against
    examples/canned_backend.rs replaying it: floor, calls/s, p50/p99, CPU µs and minor faults per call."""
    from bench import canned

    gen = target / "release" / "examples" / "loadgen"
    recordings = WORK / "canned.json"
    log("canned: recording each case's Nextcloud requests through a proxy")
    recorded = canned.record(fake, peer, binary, run_dir, seed_info, tools, ref_exe, recordings)
    backend = canned.CannedBackend(target / "release" / "examples" / "canned_backend", recordings,
                                   run_dir / "canned.log")
    rows: list[dict] = []
    servers: list[Server] = []
    try:
        evict_from_page_cache(binary)
        o = ours(canned.Addr(backend.url), peer, binary, run_dir / "ours-canned").start()
        servers.append(o)
        targets = [("ours", o)]
        if ref_exe is not None:
            try:
                r = reference(canned.Addr(backend.url), ref_exe).start(timeout=120)
                servers.append(r)
                targets.append(("reference", r))
            except Exception as exc:  # noqa: BLE001
                notes.append(f"canned: reference could not run: {str(exc).splitlines()[0][:300]}")
        time.sleep(1.0)
        for label, srv in targets:
            key = "ours" if label == "ours" else "ref"
            core[f"canned_{key}_idle_rss_mb"] = status_kb(srv.pid, "VmRSS") / 1024
            core[f"canned_{key}_tool_list"] = tool_list_size(srv.mcp_url, srv.token)
            tl = measure_canned(srv, gen, 1, args.duration, "tools/list", {})
            core[f"canned_{key}_tools_list"] = {"p50_ms": tl["latency_ms"]["p50"], "per_s": tl["throughput"],
                                               "cpu_us": tl["cpu_us_per_call"]}
            cpu0 = cpu_seconds(srv.pid)
            idle = canned.idle_session_cost(srv, 200)
            idle["initialize_cpu_us"] = (cpu_seconds(srv.pid) - cpu0) / 200 * 1e6
            core[f"canned_{key}_sessions"] = idle
            log(f"canned {label}: idle {core[f'canned_{key}_idle_rss_mb']:.1f} MiB, {idle['kb_per_session']:.1f} KB "
                f"per idle session, initialize {idle['initialize_cpu_us']:.0f} µs CPU, tools/list "
                f"{core[f'canned_{key}_tool_list']['bytes']} B in {tl['latency_ms']['p50']:.2f} ms")
        for tool in tools:
            method, furl, fheaders = canned.floor_for(tool, recorded.get(tool, []), backend.url)
            for n in sessions_list:
                res = loadgen(gen, furl, n, args.duration, method, headers=fheaders)
                rows.append({**row("floor (canned backend)", tool, "canned", n, res)})
                for label, srv in targets:
                    res = measure_canned(srv, gen, n, args.duration, "tools/call",
                                         {"name": tool, "arguments": tool_arguments(tool, seed_info)})
                    rows.append({**row(label, tool, "canned", n, res), "cpu_us_per_call": res["cpu_us_per_call"],
                                 "minflt_per_call": res["minflt_per_call"]})
                    log(f"canned {label:9} {tool:26} x{n:<3} {res['throughput']:8.1f}/s p50 "
                        f"{res['latency_ms']['p50']:7.2f} p99 {res['latency_ms']['p99']:7.2f} ms "
                        f"cpu {res['cpu_us_per_call']:8.0f} µs flt {res['minflt_per_call']:6.1f} "
                        f"err {res['errors']}+{res['tool_errors']}")
        for label, srv in targets:
            core[f"canned_{'ours' if label == 'ours' else 'ref'}_peak_rss_mb"] = status_kb(srv.pid, "VmHWM") / 1024
        st = backend.stats()
        if st.get("misses"):
            notes.append(f"canned backend: {st['misses']} requests had no recording: {st['missed_keys'][:5]}")
    finally:
        for srv in servers:
            srv.stop()
        backend.stop()
    return rows


def measure_canned(server: Server, gen: Path, sessions: int, duration: float, method: str, params: Any) -> dict:
    from bench import canned

    return canned.measure_full(server, gen, sessions, duration, method, params)


def oauth_bench(fake: NextcloudFake, peer: OidcPeer, binary: Path, gen: Path, run_dir: Path, duration: float,
                core: dict) -> list[dict]:
    rows = []
    params = {"uri": "nc://capabilities"}
    for label, ttl in (("ours oauth, token cached", 3600), ("ours oauth, cache_ttl 0 (cold check)", 0)):
        token = peer.mint(USER, scope="openid profile email", ttl=3600)
        srv = ours(fake, peer, binary, run_dir / f"oauth-{ttl}", mode="oauth",
                   extra={"auth": {"oauth": {"validation": {"cache_ttl": ttl}}}}, token=token)
        srv.start()
        try:
            if ttl:
                time.sleep(1.0)
                core["oauth_idle_rss_mb"] = status_kb(srv.pid, "VmRSS") / 1024
                core["oauth_ready_s"] = srv.ready_s
            for n in (1, 16):
                before = peer.stats().get("userinfo_direct", 0)
                res = measure(srv, gen, n, duration, "resources/read", params)
                res["userinfo_calls"] = peer.stats().get("userinfo_direct", 0) - before
                rows.append(row(label, "resources/read nc://capabilities", 0, n, res))
                log(f"{label:38} x{n:<3} {res['throughput']:8.1f}/s p50 {res['latency_ms']['p50']:.2f} "
                    f"p99 {res['latency_ms']['p99']:.2f} ms userinfo calls {res['userinfo_calls']}")
                if ttl and n == 1:
                    core["caps_rps_1"] = res["throughput"]
                if ttl and n == 16:
                    core["caps_rps_16"] = res["throughput"]
        finally:
            srv.stop()
    return rows


def row(server: str, tool: str, latency: int, sessions: int, res: dict) -> dict:
    return {"server": server, "tool": tool, "latency_ms": latency, "sessions": sessions,
            "throughput": res["throughput"], "p50": res["latency_ms"]["p50"], "p99": res["latency_ms"]["p99"],
            "ok": res["ok"], "errors": res["errors"], "tool_errors": res["tool_errors"],
            "peak_rss_mb": res.get("peak_rss_mb"), "cpu_s_per_1000": res.get("cpu_s_per_1000"),
            "userinfo_calls": res.get("userinfo_calls"), "error_samples": res.get("error_samples", [])[:2]}


def write_results(out: Path, rows: list[dict], core: dict, notes: list[str], env_info: str, ref_version: str,
                  elapsed: float, args: argparse.Namespace) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    floors = {(r["tool"], r["latency_ms"], r["sessions"]): r for r in rows if r["server"].startswith("floor")}
    refs = {(r["tool"], r["latency_ms"], r["sessions"]): r for r in rows if r["server"] == "reference"}
    lines = [f"# Benchmark {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}", "",
             f"`python3 bench/run.py{' --canned-only' if args.canned_only else ''}"
             f"{f' --binary {args.binary}' if args.binary else ''}` (duration {args.duration} s per "
             f"case, sessions {args.sessions}, fake latencies {'–' if args.canned_only else args.latencies} ms), {elapsed / 60:.1f} min in all. Reference: nextcloud-mcp-server "
             f"{ref_version or '(not run)'}. See docs/performance.md for what the columns mean.", "",
             "## Core figures", "",
             "| figure | nextcloud-mcp | reference |", "|---|---|---|",
             f"| idle RSS after start (MiB) | {fmt(core.get('ours_idle_rss_mb'))} | {fmt(core.get('ref_idle_rss_mb'))} |",
             f"| peak RSS over the whole matrix, VmHWM (MiB) | {fmt(core.get('ours_peak_rss_mb'))} | {fmt(core.get('ref_peak_rss_mb'))} |",
             f"| start → /readyz 200 (ms) | {fmt(core.get('ours_ready_s', 0) * 1000, 0)} | – |",
             f"| start → first MCP initialize answered (ms) | {fmt(core.get('ours_initialize_s', 0) * 1000, 0)} | "
             f"{fmt(core['ref_ready_s'] * 1000, 0) if 'ref_ready_s' in core else '–'} |",
             f"| resources/read nc://capabilities, one cached OAuth token, 1 session (req/s) | {fmt(core.get('caps_rps_1'))} | – |",
             f"| same, 16 sessions (req/s) | {fmt(core.get('caps_rps_16'))} | – |", "",
             "## Tool calls", "",
             "| tool | latency | sessions | server | calls/s | p50 ms | p99 ms | overhead p50 over floor ms | errors | peak RSS MiB | CPU s / 1000 calls | ours ÷ ref throughput | ours ÷ ref p99 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines[lines.index("## Tool calls"):lines.index("## Tool calls")] = canned_tables(rows, core)
    lines[lines.index("## Tool calls")] = "## Tool calls against the Python contract fake (realistic backend)"
    for r in rows:
        if r["tool"].startswith("resources/") or r["latency_ms"] == "canned":
            continue
        key = (r["tool"], r["latency_ms"], r["sessions"])
        floor = floors.get(key)
        overhead = r["p50"] - floor["p50"] if floor and not r["server"].startswith("floor") else None
        ratio_t = ratio_p = "–"
        if r["server"] == "ours" and key in refs and refs[key]["throughput"]:
            ratio_t = f"{r['throughput'] / refs[key]['throughput']:.1f}×"
            ratio_p = f"{r['p99'] / refs[key]['p99']:.2f}" if refs[key]["p99"] else "–"
        lines.append(f"| {r['tool']} | {r['latency_ms']} | {r['sessions']} | {r['server']} | {fmt(r['throughput'])} | "
                     f"{fmt(r['p50'], 2)} | {fmt(r['p99'], 2)} | {fmt(overhead, 2)} | {r['errors']}+{r['tool_errors']} | "
                     f"{fmt(r['peak_rss_mb'])} | {fmt(r['cpu_s_per_1000'], 2)} | {ratio_t} | {ratio_p} |")
    lines += ["", "## OAuth mode (ours): token validation cost", "",
              "| case | sessions | req/s | p50 ms | p99 ms | userinfo calls during the run | CPU s / 1000 |",
              "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["tool"].startswith("resources/"):
            lines.append(f"| {r['server']} | {r['sessions']} | {fmt(r['throughput'])} | {fmt(r['p50'], 2)} | "
                         f"{fmt(r['p99'], 2)} | {r['userinfo_calls']} | {fmt(r['cpu_s_per_1000'], 2)} |")
    cached = {r["sessions"]: r for r in rows if r["server"] == "ours oauth, token cached"}
    cold = {r["sessions"]: r for r in rows if r["server"].startswith("ours oauth, cache_ttl 0")}
    if 1 in cached and 1 in cold:
        lines += ["", f"Cold check cost (p50 with cache_ttl 0 minus p50 cached, 1 session): "
                      f"{cold[1]['p50'] - cached[1]['p50']:.2f} ms per request; cached check: included in "
                      f"{cached[1]['p50']:.2f} ms p50 for the whole request."]
    ratios = headline(rows)
    if ratios:
        lines += ["", "## Headline (ours ÷ reference, geometric mean over the cases both ran)", ""]
        lines += [f"- {k}: {v}" for k, v in ratios.items()]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines += ["", "## Machine", "", "```", env_info, "```", ""]
    md = out / f"{stamp}.md"
    md.write_text("\n".join(lines))
    (out / f"{stamp}.json").write_text(json.dumps({"rows": rows, "core": core, "notes": notes,
                                                   "reference_version": ref_version}, indent=1))
    svg_chart(rows, out / f"{stamp}.svg")
    print("\n".join(lines))
    log(f"wrote {md}, {out / f'{stamp}.json'}, {out / f'{stamp}.svg'}")


def canned_tables(rows: list[dict], core: dict) -> list[str]:
    """The canned-backend section: servers measured on a backend that answers in microseconds."""
    canned_rows = [r for r in rows if r["latency_ms"] == "canned"]
    if not canned_rows:
        return []

    def c(key: str, field: str, digits: int = 1) -> str:
        v = core.get(key)
        if isinstance(v, dict):
            v = v.get(field)
        return fmt(v, digits) if isinstance(v, (int, float)) else "–"
    out = ["## On the canned backend (examples/canned_backend.rs: recorded answers replayed in µs)", "",
           "| figure | nextcloud-mcp | reference |", "|---|---|---|",
           f"| idle RSS (MiB) | {c('canned_ours_idle_rss_mb', '')} | {c('canned_ref_idle_rss_mb', '')} |",
           f"| RSS per idle stateful session (KB, 200 opened) | {c('canned_ours_sessions', 'kb_per_session')} | "
           f"{c('canned_ref_sessions', 'kb_per_session')} |",
           f"| `initialize` (+ initialized) CPU per session (µs) | {c('canned_ours_sessions', 'initialize_cpu_us', 0)} | "
           f"{c('canned_ref_sessions', 'initialize_cpu_us', 0)} |",
           f"| `tools/list` bytes | {c('canned_ours_tool_list', 'bytes', 0)} | {c('canned_ref_tool_list', 'bytes', 0)} |",
           f"| `tools/list` p50 (ms), 1 session | {c('canned_ours_tools_list', 'p50_ms', 2)} | "
           f"{c('canned_ref_tools_list', 'p50_ms', 2)} |",
           f"| `tools/list` CPU per call (µs) | {c('canned_ours_tools_list', 'cpu_us', 0)} | "
           f"{c('canned_ref_tools_list', 'cpu_us', 0)} |",
           f"| peak RSS over the canned cases, VmHWM (MiB) | {c('canned_ours_peak_rss_mb', '')} | "
           f"{c('canned_ref_peak_rss_mb', '')} |", "",
           "| tool | sessions | server | calls/s | p50 ms | p99 ms | CPU µs / call | minor faults / call | "
           "peak RSS MiB | ours ÷ ref calls/s |", "|---|---|---|---|---|---|---|---|---|---|"]
    refs = {(r["tool"], r["sessions"]): r for r in canned_rows if r["server"] == "reference"}
    for r in canned_rows:
        ratio = "–"
        ref = refs.get((r["tool"], r["sessions"]))
        if r["server"] == "ours" and ref and ref["throughput"]:
            ratio = f"{r['throughput'] / ref['throughput']:.1f}×"
        out.append(f"| {r['tool']} | {r['sessions']} | {r['server']} | {fmt(r['throughput'])} | {fmt(r['p50'], 2)} | "
                   f"{fmt(r['p99'], 2)} | {fmt(r.get('cpu_us_per_call'), 0)} | {fmt(r.get('minflt_per_call'), 1)} | "
                   f"{fmt(r['peak_rss_mb'])} | {ratio} |")
    return out + [""]


def headline(rows: list[dict]) -> dict[str, str]:
    import math

    ours = {(r["tool"], r["latency_ms"], r["sessions"]): r for r in rows if r["server"] == "ours"}
    refs = {(r["tool"], r["latency_ms"], r["sessions"]): r for r in rows if r["server"] == "reference"}
    ours = {k: v for k, v in ours.items() if k[1] != "canned"}
    both = [k for k in ours if k in refs and refs[k]["throughput"] and refs[k]["p99"] and ours[k]["p99"]]
    if not both:
        return {}

    def gmean(values: list[float]) -> float:
        return math.exp(sum(math.log(v) for v in values) / len(values))

    t = gmean([ours[k]["throughput"] / refs[k]["throughput"] for k in both])
    p = gmean([ours[k]["p99"] / refs[k]["p99"] for k in both])
    m = gmean([ours[k]["peak_rss_mb"] / refs[k]["peak_rss_mb"] for k in both if refs[k]["peak_rss_mb"]])
    return {"throughput ratio": f"{t:.2f}× ({len(both)} cases)", "p99 ratio": f"{p:.3f}",
            "peak RSS ratio": f"{m:.3f}"}


if __name__ == "__main__":
    sys.exit(main())
