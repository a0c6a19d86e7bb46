#!/usr/bin/env python3
"""Which pages of our own binary are resident in an idle server, by ELF section and by crate
(issue 16, docs/decisions/0006-memory.md).

    python3 bench/resident_code.py --binary target/profiling/nextcloud-mcp
    python3 bench/resident_code.py --binary A --top 40          # also the 40 biggest symbols

Starts the server as bench/memory.py does (basic mode, default toolsets, the contract fake;
start-up opens one session), waits one second ("idle"), then sends one `tools/list` ("list").
At each point it reads /proc/<pid>/pagemap over the binary's own mappings (run as root: the
present bit and the file/anon bit need no privilege, the frame numbers are not used) and
splits the resident pages:

- by ELF section (.text, .rodata, .rela.dyn, .data.rel.ro ...), file-backed vs anonymous
  (a written page of a private mapping, e.g. relocated `.data.rel.ro`, becomes anonymous);
- `.text` by crate: each resident page's bytes go to the symbols that overlap it (symbols
  from `nm` of the same binary, so run an unstripped build such as the `profiling` profile);
  the crate is the first non-std crate named in the demangled symbol, so
  `core::ptr::drop_in_place<rmcp::model::Tool>` counts as rmcp's code.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import bisect
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import run as R  # noqa: E402
from bench.elf import sections, text_symbols  # noqa: E402
from tests.harness.peers import NextcloudFake  # noqa: E402

PAGE = 4096
STD_CRATES = {"core", "alloc", "std", "hashbrown", "compiler_builtins"}
# The first segment of each path in a demangled name (`core::ptr::drop_in_place<rmcp::x>` ->
# core, rmcp), not the modules after it.
CRATE_RE = re.compile(r"(?:^|[<\s(&*,\[])([A-Za-z_][A-Za-z0-9_]*)::")


def first_load_vaddr(binary: Path) -> int:
    data = binary.read_bytes()[:4096]
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        typ, _flags, _off, vaddr = struct.unpack_from("<IIQQ", data, phoff + i * phentsize)
        if typ == 1:  # PT_LOAD
            return vaddr & ~(PAGE - 1)
    return 0


def crate_of(name: str) -> str:
    crates = CRATE_RE.findall(name)
    for c in crates:
        if c not in STD_CRATES and not c[0].isupper():
            return c
    return crates[0] if crates else "(other)"


def resident_pages(pid: int, binary: Path) -> dict[int, bool]:
    """Resident pages of the binary's own mappings: vaddr (link-time) -> file-backed?"""
    maps = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 6 and Path(parts[5]) == binary:
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            maps.append((lo, hi, int(parts[2], 16)))
    # Mappings right after the binary's last one (its .bss) are anonymous and unnamed.
    base = min(lo - off for lo, _, off in maps if off == 0) - first_load_vaddr(binary)
    out: dict[int, bool] = {}
    with open(f"/proc/{pid}/pagemap", "rb") as pm:
        for lo, hi, _ in maps:
            pm.seek(lo // PAGE * 8)
            raw = pm.read((hi - lo) // PAGE * 8)
            for i, (entry,) in enumerate(struct.iter_unpack("<Q", raw)):
                if entry >> 63 & 1:
                    out[lo + i * PAGE - base] = bool(entry >> 61 & 1)
    return out


def by_section(pages: dict[int, bool], secs: list[tuple[str, int, int]]) -> dict[str, list[int]]:
    """Section -> [file-backed KiB, anonymous KiB]; a page shared by sections goes to the first."""
    starts = [s[1] for s in secs]
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for page, file_backed in pages.items():
        i = bisect.bisect_right(starts, page + PAGE - 1) - 1
        # The first section that overlaps the page.
        j = bisect.bisect_right(starts, page) - 1
        k = j if j >= 0 and secs[j][1] + secs[j][2] > page else i
        name = secs[k][0] if k >= 0 else "(none)"
        out[name][0 if file_backed else 1] += PAGE // 1024
    return out


def text_by_crate(pages: dict[int, bool], syms: list[tuple[int, int, str]], top: int):
    """Bytes of resident text per crate, and the biggest resident symbols."""
    crates: dict[str, int] = defaultdict(int)
    per_sym: dict[str, int] = defaultdict(int)
    starts = [s[0] for s in syms]
    for page in pages:
        i = max(bisect.bisect_right(starts, page) - 1, 0)
        while i < len(syms) and syms[i][0] < page + PAGE:
            addr, size, name = syms[i]
            overlap = min(addr + size, page + PAGE) - max(addr, page)
            if overlap > 0:
                crates[crate_of(name)] += overlap
                if top:
                    per_sym[name] += overlap
            i += 1
    return crates, sorted(per_sym.items(), key=lambda kv: -kv[1])[:top]


def report(label: str, pages: dict[int, bool], secs, syms, top: int, prev: dict[int, bool] | None) -> None:
    file_kb = sum(PAGE // 1024 for f in pages.values() if f)
    anon_kb = sum(PAGE // 1024 for f in pages.values() if not f)
    print(f"\n## {label}: {len(pages) * PAGE // 1024} KiB of the binary resident "
          f"({file_kb} file-backed, {anon_kb} anonymous/COW)")
    if prev is not None:
        new = {p: f for p, f in pages.items() if p not in prev}
        print(f"   new since the previous point: {len(new) * PAGE // 1024} KiB")
    print("\n| section | size KiB | resident file KiB | resident anon KiB |\n|---|---|---|---|")
    sec_sizes = {n: s for n, _, s in secs}
    for name, (f, a) in sorted(by_section(pages, secs).items(), key=lambda kv: -sum(kv[1])):
        print(f"| {name} | {sec_sizes.get(name, 0) // 1024} | {f} | {a} |")
    if not syms:
        return
    text = {p: f for p, f in pages.items() if any(n == ".text" and a <= p < a + s for n, a, s in secs)}
    crates, biggest = text_by_crate(text, syms, top)
    total = sum(crates.values()) or 1
    print(f"\n| crate (.text, resident) | KiB | % |\n|---|---|---|")
    for name, size in sorted(crates.items(), key=lambda kv: -kv[1])[:30]:
        print(f"| {name} | {size / 1024:.0f} | {100 * size / total:.1f} |")
    if biggest:
        print("\n| symbol (resident bytes) | KiB |\n|---|---|")
        for name, size in biggest:
            print(f"| `{name[:140]}` | {size / 1024:.1f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--top", type=int, default=0, help="also list the N biggest resident text symbols")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    a = ap.parse_args()
    binary = Path(a.binary).resolve()
    secs = sections(binary)
    syms = text_symbols(binary)
    if not syms:
        print("(no symbols: stripped binary; sections only)")
    tmp = Path(tempfile.mkdtemp(prefix="resident-code-"))
    fake = NextcloudFake(tmp, "http://127.0.0.1:9").start()
    try:
        srv = R.ours(fake, SimpleNamespace(discovery_url="http://127.0.0.1:9/unused"), binary, tmp / "run")
        srv.env = {**srv.env, **dict(kv.split("=", 1) for kv in a.env)}
        srv.start()
        try:
            time.sleep(1.0)
            idle = resident_pages(srv.pid, binary)
            print(f"VmRSS idle: {R.status_kb(srv.pid, 'VmRSS')} KiB")
            report("idle (1 s after start, one session)", idle, secs, syms, a.top, None)
            R.tool_list_size(srv.mcp_url, srv.token)
            time.sleep(0.2)
            listed = resident_pages(srv.pid, binary)
            print(f"\nVmRSS after tools/list: {R.status_kb(srv.pid, 'VmRSS')} KiB")
            report("after one tools/list", listed, secs, syms, 0, idle)
        finally:
            srv.stop()
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
