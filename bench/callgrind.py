#!/usr/bin/env python3
"""Instructions per call under `valgrind --tool=callgrind`: the figure that does not move with
machine load. Runs nextcloud-mcp (release build, basic mode) under callgrind against the canned
backend (examples/canned_backend.rs replaying bench/.work/canned.json, which `bench/run.py`
records), and for each case zeroes the counters (`callgrind_control -z`), makes N calls on one
warm session, dumps (`callgrind_control -d`) and divides the instruction total by N.

    python3 bench/callgrind.py                              # the release binary of the target dir
    python3 bench/callgrind.py --binary A --binary B        # side by side (e.g. before / after)
    python3 bench/callgrind.py --json out.json

Needs Debian `valgrind`. Cases: get_note, search (1,000 notes), list_directory (500 entries),
read_file (1 MiB), initialize (+ notifications/initialized, new session), tools/list.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import run as R  # noqa: E402
from bench.canned import Addr, CannedBackend  # noqa: E402

CASES = {
    "get_note": ("nc_notes_get_note", 20),
    "search": ("nc_notes_search_notes", 5),
    "list_directory": ("nc_webdav_list_directory", 5),
    "read_file": ("nc_webdav_read_file", 5),
}


class NoPeer:
    """Basic mode needs no OpenID provider; the config still names one."""

    discovery_url = "http://127.0.0.1:9/.well-known/openid-configuration"


def seed_info(recordings: Path) -> dict:
    """The note id get_note was recorded with (bench/run.py seeds note_id = first + 500)."""
    for r in json.loads(recordings.read_text())["records"]:
        if r["case"] == "nc_notes_get_note" and "/notes/" in r["target"]:
            return {"note_id": int(r["target"].rsplit("/", 1)[1].split("?")[0])}
    return {}


def total_ir(out_dir: Path, before: set[Path]) -> int:
    for _ in range(200):
        new = [p for p in out_dir.glob("cg.out*") if p not in before]
        if new:
            text = max(new, key=lambda p: p.stat().st_mtime).read_text(errors="replace")
            for line in text.splitlines():
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
        time.sleep(0.1)
    raise RuntimeError("callgrind dump not found")


def control(pid: int, flag: str) -> None:
    subprocess.run(["callgrind_control", flag, str(pid)], check=True, capture_output=True, timeout=120)


def measure(binary: Path, backend_url: str, info: dict, work: Path) -> dict[str, float]:
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("cg.out*"):
        old.unlink()
    srv = R.ours(Addr(backend_url), NoPeer(), binary, work)  # type: ignore[arg-type]
    srv.argv = ["valgrind", "--tool=callgrind", "--collect-atstart=yes", f"--callgrind-out-file={work}/cg.out",
                *srv.argv]
    srv.start(timeout=300)
    pid = srv.pid  # valgrind runs the program in its own process
    out: dict[str, float] = {}
    # Calls on one session reuse one keep-alive connection, as MCP clients and examples/loadgen
    # do; a connection per call would charge each call with an accept and a connection's set-up.
    client = httpx.Client()
    try:
        sid = R.mcp_open(srv.mcp_url, client=client)
        for name, (tool, n) in CASES.items():
            args = R.tool_arguments(tool, info)
            for _ in range(2):  # warm: connection pool, caches, first-touch of buffers
                R.mcp_rpc(srv.mcp_url, "tools/call", {"name": tool, "arguments": args}, session=sid, timeout=300,
                          client=client)
            before = set(work.glob("cg.out*"))
            control(pid, "-z")
            for _ in range(n):
                msg, _ = R.mcp_rpc(srv.mcp_url, "tools/call", {"name": tool, "arguments": args}, session=sid,
                                   timeout=300, client=client)
                if not msg or msg.get("result", {}).get("isError"):
                    raise RuntimeError(f"{tool}: {json.dumps(msg)[:300]}")
            control(pid, "-d")
            out[name] = total_ir(work, before) / n
            R.log(f"callgrind {binary.name}: {name} {out[name] / 1e6:.2f} M instructions per call")
        for name, method, n in (("tools/list", "tools/list", 5), ("initialize", "initialize", 10)):
            before = set(work.glob("cg.out*"))
            control(pid, "-z")
            for _ in range(n):
                if method == "initialize":  # a new client: one new connection per new session
                    with httpx.Client() as fresh:
                        R.mcp_open(srv.mcp_url, client=fresh)
                else:
                    R.mcp_rpc(srv.mcp_url, method, {}, session=sid, timeout=300, client=client)
            control(pid, "-d")
            out[name] = total_ir(work, before) / n
            R.log(f"callgrind {binary.name}: {name} {out[name] / 1e6:.2f} M instructions per call")
    finally:
        client.close()
        srv.stop()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    ap.add_argument("--binary", action="append", help="nextcloud-mcp binaries (default: the release build)")
    ap.add_argument("--recordings", default=str(R.WORK / "canned.json"))
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args()
    binaries = [Path(b).resolve() for b in (a.binary or [str(target / "release" / "nextcloud-mcp")])]
    recordings = Path(a.recordings)
    if not recordings.exists():
        print(f"{recordings} missing: run `python3 bench/run.py --canned-only --quick` first (it records)")
        return 2
    run_dir = R.WORK / time.strftime("callgrind-%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    backend = CannedBackend(target / "release" / "examples" / "canned_backend", recordings, run_dir / "canned.log")
    results: dict[str, dict[str, float]] = {}
    try:
        info = seed_info(recordings)
        for i, b in enumerate(binaries):
            results[str(b)] = measure(b, backend.url, info, run_dir / f"bin{i}")
    finally:
        backend.stop()
    names = list(next(iter(results.values())).keys())
    head = "| call | " + " | ".join(Path(b).name if len(set(Path(x).name for x in results)) == len(results) else b
                                    for b in results) + " |"
    lines = ["Instructions per call (callgrind, canned backend):", "", head,
             "|---|" + "---|" * len(results)]
    for n in names:
        lines.append(f"| {n} | " + " | ".join(f"{results[b][n] / 1e6:,.2f} M" for b in results) + " |")
    print("\n".join(lines))
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
