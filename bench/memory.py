#!/usr/bin/env python3
"""Idle memory of nextcloud-mcp, measured the way bench/run.py does (basic mode, default
toolsets, the Nextcloud contract fake as backend), with a breakdown, for several binaries or
environments side by side (issue 16: idle RSS and RSS per idle stateful session).

    python3 bench/memory.py --binary target/profiling/nextcloud-mcp
    python3 bench/memory.py --binary A --binary B --runs 3
    python3 bench/memory.py --binary A --env MALLOC_ARENA_MAX=1 --env ''   # one column per env

Each binary is dropped from the page cache before its server starts (`run.evict_from_page_cache`),
so the file-backed part does not follow whatever read the file last. Per binary and environment:
VmRSS one second after start (one session opened, as bench/run.py),
its split from /proc/<pid>/smaps_rollup (anonymous vs file-backed), threads, after one
tools/list, then KB per idle stateful session over N sessions opened and kept, and the CPU the
server spent. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import run as R  # noqa: E402
from tests.harness.peers import NextcloudFake  # noqa: E402


def rollup_kb(pid: int) -> dict[str, int]:
    """The smaps_rollup fields, in KiB."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[-1] == "kB":
            out[key] = int(parts[0])
    return out


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def measure(binary: Path, fake: NextcloudFake, env: dict[str, str], sessions: int, workdir: Path,
            extra: dict | None = None) -> dict:
    srv = R.ours(fake, SimpleNamespace(discovery_url="http://127.0.0.1:9/unused"), binary, workdir, extra=extra)
    srv.env = {**srv.env, **env}
    R.evict_from_page_cache(binary)
    srv.start()
    try:
        time.sleep(1.0)
        pid = srv.pid
        roll = rollup_kb(pid)
        res = {"idle_rss_kb": R.status_kb(pid, "VmRSS"), "anon_kb": roll.get("Anonymous", 0),
               "file_kb": roll.get("Rss", 0) - roll.get("Anonymous", 0), "threads": threads(pid)}
        res["tools_list_bytes"] = R.tool_list_size(srv.mcp_url, srv.token)["bytes"]
        time.sleep(0.2)
        res["after_list_kb"] = R.status_kb(pid, "VmRSS")
        res["anon_after_list_kb"] = rollup_kb(pid).get("Anonymous", 0)
        cpu0 = R.cpu_seconds(pid)
        time.sleep(0.5)
        before = R.status_kb(pid, "VmRSS")
        for _ in range(sessions):
            R.mcp_open(srv.mcp_url, srv.token)
        time.sleep(0.5)
        after = R.status_kb(pid, "VmRSS")
        res["kb_per_session"] = (after - before) / sessions
        res["init_cpu_us"] = (R.cpu_seconds(pid) - cpu0) / sessions * 1e6
        res["after_sessions_kb"] = after
        res["anon_after_sessions_kb"] = rollup_kb(pid).get("Anonymous", 0)
        return res
    finally:
        srv.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", action="append", required=True)
    ap.add_argument("--env", action="append", default=None,
                    help="KEY=VALUE[,KEY=VALUE] added to the server's environment; '' for none; repeatable")
    ap.add_argument("--config", default=None, help="YAML merged into the server config (e.g. server.workers)")
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    import yaml

    extra = yaml.safe_load(a.config) if a.config else None
    envs = [dict(kv.split("=", 1) for kv in e.split(",") if kv) for e in (a.env or [""])]
    tmp = Path(tempfile.mkdtemp(prefix="memory-bench-"))
    fake = NextcloudFake(tmp, "http://127.0.0.1:9").start()
    try:
        cols = ["idle_rss_kb", "anon_kb", "file_kb", "threads", "after_list_kb", "anon_after_list_kb", "kb_per_session",
                "init_cpu_us", "after_sessions_kb", "anon_after_sessions_kb", "tools_list_bytes"]
        print("| binary | env | " + " | ".join(cols) + " |")
        print("|---|---|" + "---|" * len(cols))
        for binary in a.binary:
            for env in envs:
                runs = [measure(Path(binary).resolve(), fake, env, a.sessions, tmp / f"run{i}", extra) for i in range(a.runs)]
                med = {k: statistics.median(r[k] for r in runs) for k in cols}
                label = ",".join(f"{k}={v}" for k, v in env.items()) or "-"
                print(f"| {Path(binary).name} | {label} | " + " | ".join(
                    f"{med[k]:.1f}" if isinstance(med[k], float) else str(med[k]) for k in cols) + " |", flush=True)
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
