"""Recording for the canned backend (examples/canned_backend.rs).

`RecordingProxy` sits between an MCP server and the Nextcloud contract fake, forwards every request
and keeps each answer, keyed by what the canned backend matches on: method, request target (path and
query, byte for byte, so the notes chunk cursors the fake hands out are replayed as they came),
`Depth` and `Range`. Each server is pointed at the proxy and its benchmarked tool calls are made once;
`save()` writes the recordings as JSON (bodies base64) for `canned_backend --recordings`.
Bodies are generated at bench time into bench/.work (the 1 MiB file is not committed).

    python3 bench/canned.py --out bench/.work/canned.json   # standalone: fake + ours + the 4 cases
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

# Response headers the replay leaves out: the canned backend writes its own framing and date.
DROP = {"date", "server", "content-length", "transfer-encoding", "connection", "keep-alive"}


def key(method: str, target: str, depth: str | None, range_: str | None) -> str:
    """The lookup key; examples/canned_backend.rs builds the same string."""
    return f"{method} {target}|depth={depth or ''}|range={range_ or ''}"


class RecordingProxy:
    def __init__(self, upstream: str) -> None:
        up = urlsplit(upstream)
        self.upstream_host, self.upstream_port = up.hostname or "127.0.0.1", up.port or 80
        self.records: dict[str, dict] = {}
        self.case = "setup"
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def __getattr__(self, name: str):
                if name.startswith("do_"):
                    return self._forward
                raise AttributeError(name)

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    out_headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in DROP]
                    status = resp.status
                finally:
                    conn.close()
                k = key(self.command, self.path, self.headers.get("Depth"), self.headers.get("Range"))
                with proxy.lock:
                    proxy.records[k] = {"key": k, "case": proxy.case, "method": self.command, "target": self.path,
                                        "status": status, "headers": out_headers,
                                        "body": base64.b64encode(data).decode()}
                self.send_response(status)
                for name, value in out_headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> RecordingProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def case_requests(self, case: str) -> list[dict]:
        return [r for r in self.records.values() if r["case"] == case]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"records": list(self.records.values())}))



# ---------------------------------------------------------------- the canned-backend phase of bench/run.py
class Addr:
    """Anything with a `.url`, standing in for the fake when a server is pointed elsewhere."""

    def __init__(self, url: str) -> None:
        self.url = url


def minflt(pid: int) -> int:
    """Minor page faults of the process tree (field 10 of /proc/<pid>/stat)."""
    from bench import run as R

    total = 0
    for p in R.descendants(pid):
        try:
            total += int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[7])
        except (OSError, IndexError, ValueError):
            pass
    return total


def record(fake, peer, binary: Path, run_dir: Path, seed_info: dict, cases: list[str], ref_exe: Path | None,
           out: Path) -> dict[str, list[dict]]:
    """Points ours (and the reference, if installed) at a RecordingProxy in front of the fake, makes each
    case's call twice (the second with warm caches, as in the timed loop), saves the recordings.
    Returns case -> the requests that case made (for the floor)."""
    from bench import run as R

    proxy = RecordingProxy(fake.url).start()
    servers = []
    try:
        proxy.case = "setup"
        srv = R.ours(Addr(proxy.url), peer, binary, run_dir / "ours-record")
        servers.append(srv.start())
        R.list_tools(srv.mcp_url)
        if ref_exe is not None:
            try:
                servers.append(R.reference(Addr(proxy.url), ref_exe).start(timeout=120))
            except Exception as exc:  # noqa: BLE001 - the reference is optional here
                R.log(f"reference not recorded: {str(exc).splitlines()[0][:300]}")
        for tool in cases:
            proxy.case = tool
            for s in servers:
                for _ in range(2):
                    R.call_tool(s.mcp_url, tool, R.tool_arguments(tool, seed_info), s.token)
        proxy.case = "after"
        proxy.save(out)
        return {tool: proxy.case_requests(tool) for tool in cases}
    finally:
        for s in servers:
            s.stop()
        proxy.stop()


class CannedBackend:
    def __init__(self, binary: Path, recordings: Path, log_path: Path) -> None:
        import subprocess

        self.log = open(log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen([str(binary), "--recordings", str(recordings), "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, start_new_session=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("listening "):
            raise RuntimeError(f"canned_backend did not start: {line!r}")
        self.url = line.split()[1]

    def stats(self) -> dict:
        import httpx

        return httpx.get(f"{self.url}/__canned/stats", timeout=5).json()

    def stop(self) -> None:
        from bench import run as R

        R.stop_process(self.proc)
        self.log.close()


def floor_for(tool: str, requests: list[dict], base: str) -> tuple[str, str, list[str]]:
    """The largest recorded request of the case, replayed alone: the backend's own cost."""
    if not requests:
        raise RuntimeError(f"{tool}: nothing recorded")
    biggest = max(requests, key=lambda r: len(r["body"]))
    headers = []
    for part, name in ((biggest["key"].split("|depth=")[1].split("|range=")[0], "Depth"),
                       (biggest["key"].split("|range=")[1], "Range")):
        if part:
            headers.append(f"{name}: {part}")
    return biggest["method"], base + biggest["target"], headers


def measure_full(server, gen: Path, sessions: int, duration: float, method: str, params) -> dict:
    """bench/run.py measure() plus minor faults and CPU per call in µs."""
    from bench import run as R

    f0 = minflt(server.pid)
    res = R.measure(server, gen, sessions, duration, method, params)
    calls = res["ok"] + sessions * 3
    res["minflt_per_call"] = (minflt(server.pid) - f0) / calls if calls else 0.0
    res["cpu_us_per_call"] = res["cpu_s_per_1000"] * 1000.0
    return res


def idle_session_cost(server, n: int = 200) -> dict:
    """RSS growth per idle stateful session: n sessions opened (initialize + initialized) and kept."""
    from bench import run as R

    import time as _t

    _t.sleep(0.5)
    before = R.status_kb(server.pid, "VmRSS")
    for _ in range(n):
        R.mcp_open(server.mcp_url, server.token)
    _t.sleep(0.5)
    after = R.status_kb(server.pid, "VmRSS")
    return {"sessions": n, "rss_before_mb": before / 1024, "rss_after_mb": after / 1024,
            "kb_per_session": (after - before) / n}


if __name__ == "__main__":
    import argparse
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import run  # noqa: E402

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(run.WORK / "canned.json"))
    ap.add_argument("--binary", default=None, help="nextcloud-mcp binary (default: release build in the target dir)")
    a = ap.parse_args()
    sys.exit(run.record_standalone(Path(a.out), a.binary))
