"""ELF facts about a built binary, without dependencies: its sections (from the section headers,
which stripping keeps) and its sized text symbols (from `nm`). Used by bench/resident_code.py,
bench/startup_order.py and tests/deploy/image_checks.py."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path


def sections(binary: Path) -> list[tuple[str, int, int]]:
    """(name, vaddr, size) of every allocated section of a 64-bit little-endian ELF file, by
    address."""
    data = binary.read_bytes()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    heads = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab_off = heads[shstrndx][4]
    out = []
    for name_off, _typ, flags, addr, _off, size, *_ in heads:
        if flags & 0x2 and size:  # SHF_ALLOC
            end = data.index(b"\0", strtab_off + name_off)
            out.append((data[strtab_off + name_off:end].decode(), addr, size))
    return sorted(out, key=lambda s: s[1])


def text_symbols(binary: Path, demangle: bool = True) -> list[tuple[int, int, str]]:
    """(vaddr, size, name) of the sized text symbols, by address; names demangled or as linked."""
    argv = ["nm", *(["-C"] if demangle else []), "--defined-only", "--print-size", str(binary)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4 and parts[2] in "tTwW":
            syms.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    syms.sort()
    return syms
