"""A tiny TAP producer shared by the deploy checks: each check prints `ok`/`not ok` lines,
and tests/deploy/run.sh counts them."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "nextcloud-mcp"

_count = 0
_failed = 0


def ok(name: str, passed: bool, detail: str = "") -> bool:
    global _count, _failed
    _count += 1
    if passed:
        print(f"ok {_count} - {name}")
    else:
        _failed += 1
        print(f"not ok {_count} - {name}")
        for line in (detail or "").rstrip().splitlines():
            print(f"#   {line}")
    sys.stdout.flush()
    return passed


def skip(name: str, reason: str) -> None:
    global _count
    _count += 1
    print(f"ok {_count} - {name} # SKIP {reason}")


def check(name: str, fn: Callable[[], object]) -> bool:
    """Runs fn; an AssertionError (or any exception) fails the check with its message."""
    try:
        fn()
    except AssertionError as exc:
        return ok(name, False, str(exc) or traceback.format_exc())
    except Exception:  # noqa: BLE001 - report every failure as a failed check
        return ok(name, False, traceback.format_exc())
    return ok(name, True)


def finish() -> int:
    print(f"1..{_count}")
    return 1 if _failed else 0


def binary_path() -> Path:
    return Path(os.environ.get("NEXTCLOUD_MCP_BIN", str(ROOT / "target" / "debug" / "nextcloud-mcp")))
