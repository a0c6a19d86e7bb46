#!/usr/bin/env python3
"""Writes pgo/<target>.profdata: the profile that release and image builds are optimised with
(profile-guided optimisation, docs/decisions/0011-pgo.md): the Dockerfile, tests/deploy/image-build.sh
and bench/run.py build with `RUSTFLAGS=-Cprofile-use=<repository>/pgo/<target>.profdata`.

    python3 bench/pgo.py                                   # pgo/x86_64-unknown-linux-gnu.profdata
    python3 bench/pgo.py --target x86_64-unknown-linux-musl --profile image

Steps: builds the server instrumented (`-Cprofile-generate`, in bench/.work/pgo-<target>, so the
usual target directory is left alone), runs it through the training workload on the canned
backend (examples/canned_backend replaying bench/.work/canned.json, which `bench/run.py` records;
examples/loadgen drives it), stops it (it writes its counts on a clean exit) and merges the counts
with `llvm-profdata merge --sparse` (rustup component llvm-tools). The workload is the
benchmark's: the four measured tool calls at 1 and 16 sessions, tools/list, and sessions opened;
it is the request path every tool call shares (HTTP, sessions, rmcp, the Nextcloud client, JSON).
`--sparse` leaves out the functions the workload never ran, so the tools it does not call are
optimised as without a profile, not as cold code.

The profile names functions exactly (symbol hash and control-flow hash): a function whose code
changes loses its profile and is optimised as before; a rustc or dependency update loses most
of it. Run this again after such changes and after changes to the request path, then
bench/startup_order.py (its code order is made from the optimised build), and measure with
bench/alternate.py. tests/deploy/image_checks.py fails on a code order gone stale, which the
same updates cause.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import canned  # noqa: E402
from bench import run as R  # noqa: E402
from bench.callgrind import CASES, NoPeer, seed_info  # noqa: E402

HOST = "x86_64-unknown-linux-gnu"


def llvm_profdata() -> Path:
    """rustc's own llvm-profdata: its LLVM writes the raw profiles this merges."""
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True,
                             check=True).stdout.strip()
    tool = Path(sysroot) / "lib" / "rustlib" / HOST / "bin" / "llvm-profdata"
    if not tool.exists():
        raise SystemExit(f"{tool} missing: rustup component add llvm-tools")
    return tool


def build_instrumented(target: str, profile: str, raw_dir: Path) -> Path:
    target_dir = R.WORK / f"pgo-{target}"
    env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir),
               RUSTFLAGS=f"-Cprofile-generate={raw_dir}")
    cmd = ["cargo", "build", "--profile", profile, "--locked", "--bin", "nextcloud-mcp"]
    if target != HOST:
        cmd += ["--target", target]
    R.log("instrumented build: RUSTFLAGS=-Cprofile-generate=... " + " ".join(cmd))
    subprocess.run(cmd, cwd=REPO, env=env, check=True)
    sub = "" if target == HOST else target
    return target_dir / sub / profile / "nextcloud-mcp"


def train(binary: Path, duration: float, work: Path) -> None:
    """The benchmark's calls, each for `duration` seconds, on one server that then exits cleanly."""
    recordings = R.WORK / "canned.json"
    if not recordings.exists():
        raise SystemExit(f"{recordings} missing: run `python3 bench/run.py --canned-only --quick` first (it records)")
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    subprocess.run(["cargo", "build", "--release", "--example", "loadgen", "--example", "canned_backend"],
                   cwd=REPO, check=True,
                   env=R.optimised_build_env() if (REPO / "pgo" / f"{HOST}.profdata").exists() else None)
    gen = target / "release" / "examples" / "loadgen"
    backend = canned.CannedBackend(target / "release" / "examples" / "canned_backend", recordings,
                                   work / "canned.log")
    info = seed_info(recordings)
    try:
        srv = R.ours(canned.Addr(backend.url), NoPeer(), binary, work / "server")  # type: ignore[arg-type]
        srv.start(timeout=120)
        try:
            for case, (tool, _) in CASES.items():
                params = {"name": tool, "arguments": R.tool_arguments(tool, info)}
                for sessions in (1, 16):
                    res = canned.measure_full(srv, gen, sessions, duration, "tools/call", params)
                    if res.get("errors") or res.get("tool_errors") or not res["ok"]:
                        raise SystemExit(f"training {case}: {res}")
                    R.log(f"trained {case} at {sessions} sessions: {res['ok']} calls")
            res = canned.measure_full(srv, gen, 4, duration, "tools/list", {})
            R.log(f"trained tools/list: {res['ok']} calls")
            canned.idle_session_cost(srv, 50)
            R.log("trained initialize: 50 sessions")
        finally:
            srv.stop()
    finally:
        backend.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default=HOST, choices=[HOST, "x86_64-unknown-linux-musl"])
    ap.add_argument("--profile", default="release", help="cargo profile (the image is built with `image`)")
    ap.add_argument("--duration", type=float, default=2.0, help="seconds per call and session count (default 2)")
    ap.add_argument("--out", help="default: pgo/<target>.profdata")
    a = ap.parse_args()
    out = Path(a.out) if a.out else REPO / "pgo" / f"{a.target}.profdata"
    merge = llvm_profdata()
    work = R.WORK / time.strftime("pgo-%Y%m%d-%H%M%S")
    work.mkdir(parents=True, exist_ok=True)
    # A fixed directory: it is part of RUSTFLAGS, so a second run finds the instrumented build current.
    raw_dir = R.WORK / f"pgo-{a.target}-raw"
    binary = build_instrumented(a.target, a.profile, raw_dir)
    # Build scripts ran instrumented too (no --target for the host build): their counts go.
    shutil.rmtree(raw_dir, ignore_errors=True)
    raw_dir.mkdir(parents=True)
    train(binary, a.duration, work)
    raws = sorted(raw_dir.glob("*.profraw"))
    if not raws:
        raise SystemExit(f"no raw profile in {raw_dir}: did the server exit cleanly?")
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(merge), "merge", "--sparse", "-o", str(out), *map(str, raws)], check=True)
    R.log(f"{out}: {out.stat().st_size:,} bytes from {len(raws)} raw profile(s); now rebuild, then "
          "run bench/startup_order.py on the new build and rebuild again")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
