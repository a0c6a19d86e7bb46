#!/usr/bin/env python3
"""Server CPU per call of several nextcloud-mcp builds, runs alternated: the wall-clock
comparison of builds on a shared machine. This machine's speed drifts by 15-40 % within an
hour, so builds measured one after the other are not comparable; alternating them (A, B, A, B,
...) and taking medians is. Each run starts a fresh server (basic mode) on the canned backend
(examples/canned_backend.rs replaying bench/.work/canned.json, which `bench/run.py` records) and
drives it with examples/loadgen for --duration seconds, as `bench/run.py`'s canned table does:
CPU from /proc over all calls including session set-up and warm-up.

    python3 bench/alternate.py --binary A --binary B                  # 4 calls, 3 rounds, 16 sessions
    python3 bench/alternate.py --binary A --binary B --case get_note --rounds 8
    python3 bench/alternate.py --binary A --binary B --json out.json
    python3 bench/alternate.py --binary A --workers 1,2               # one build, server.workers 1 and 2

Prints, per call and build, the median CPU µs per call with its range, minor faults per call and
calls/s. Figures are printed, never asserted. `bench/callgrind.py` gives the load-independent
instruction counts; this gives what they do not show (system time, page faults, `rep`-prefixed
string instructions, cache effects).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import canned  # noqa: E402
from bench import run as R  # noqa: E402
from bench.callgrind import CASES, NoPeer, seed_info  # noqa: E402


def one_run(binary: Path, gen: Path, backend_url: str, info: dict, work: Path, tool: str, sessions: int,
            duration: float, workers: int | None = None) -> dict:
    extra = {"server": {"workers": workers}} if workers else None
    srv = R.ours(canned.Addr(backend_url), NoPeer(), binary, work, extra=extra)  # type: ignore[arg-type]
    srv.start(timeout=60)
    try:
        time.sleep(0.5)  # start-up's own CPU settles before the first reading
        params = {"name": tool, "arguments": R.tool_arguments(tool, info)}
        res = canned.measure_full(srv, gen, sessions, duration, "tools/call", params)
    finally:
        srv.stop()
    if res.get("errors") or res.get("tool_errors"):
        raise RuntimeError(f"{binary} {tool}: {res.get('errors')} errors, {res.get('tool_errors')} tool errors")
    return {"cpu_us": res["cpu_us_per_call"], "minflt": res["minflt_per_call"], "rate": res["throughput"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    ap.add_argument("--binary", action="append", required=True,
                    help="a nextcloud-mcp build (two or more, or one with --workers)")
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="default: all four")
    ap.add_argument("--rounds", type=int, default=3, help="runs per build and call (default 3)")
    ap.add_argument("--duration", type=float, default=3.0, help="seconds per run (default 3)")
    ap.add_argument("--sessions", type=int, default=16)
    ap.add_argument("--workers", help="comma-separated server.workers values: each build runs with each "
                    "(default: the config's default)")
    ap.add_argument("--recordings", default=str(R.WORK / "canned.json"))
    ap.add_argument("--json", help="write every run's figures here")
    a = ap.parse_args()
    workers: list[int | None] = [int(w) for w in a.workers.split(",")] if a.workers else [None]
    binaries = [Path(b).resolve() for b in a.binary]
    variants = [(b, w) for b in binaries for w in workers]
    names = [f"{i + 1}:{b.parent.name}/{b.name}" + (f" workers={w}" if w else "")
             for i, (b, w) in enumerate(variants)]
    recordings = Path(a.recordings)
    if not recordings.exists():
        print(f"{recordings} missing: run `python3 bench/run.py --canned-only --quick` first (it records)")
        return 2
    gen = target / "release" / "examples" / "loadgen"
    run_dir = R.WORK / time.strftime("alternate-%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    backend = canned.CannedBackend(target / "release" / "examples" / "canned_backend", recordings,
                                   run_dir / "canned.log")
    info = seed_info(recordings)
    runs: dict[str, dict[str, list[dict]]] = {}
    try:
        for case in a.case or list(CASES):
            tool = CASES[case][0]
            runs[case] = {n: [] for n in names}
            for r in range(a.rounds):
                for i, (name, (binary, w)) in enumerate(zip(names, variants)):
                    fig = one_run(binary, gen, backend.url, info, run_dir / f"bin{i}", tool, a.sessions, a.duration,
                                  w)
                    runs[case][name].append(fig)
                    R.log(f"{case} round {r + 1} {name}: {fig['cpu_us']:.1f} µs/call, {fig['minflt']:.1f} faults, "
                          f"{fig['rate']:.0f}/s")
    finally:
        backend.stop()
    print(f"\nServer CPU per call, {a.sessions} sessions, {a.rounds} alternated runs of {a.duration:g} s "
          "(median, range):\n")
    print("| call | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for case, per in runs.items():
        cells = []
        for name in names:
            cpu = [f["cpu_us"] for f in per[name]]
            flt = statistics.median(f["minflt"] for f in per[name])
            rate = statistics.median(f["rate"] for f in per[name])
            cells.append(f"{statistics.median(cpu):,.1f} µs ({min(cpu):,.0f}–{max(cpu):,.0f}); "
                         f"{flt:.1f} faults; {rate:,.0f}/s")
        print(f"| {case} | " + " | ".join(cells) + " |")
    if a.json:
        Path(a.json).write_text(json.dumps({"binaries": [str(b) for b in binaries], "workers": workers,
                                            "sessions": a.sessions, "duration": a.duration, "runs": runs},
                                           indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
