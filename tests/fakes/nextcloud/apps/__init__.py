"""App modules of the fake Nextcloud, auto-discovered.

Each module `apps/<app>.py` exposes:
    APP: str                                   app id gated by --apps (omit for always-on core parts)
    def routes(state) -> list[starlette.routing.Route]     required
    def capabilities(state) -> dict            optional: merged into OCS capabilities when enabled
    def reset(state) -> None                   optional: called by POST /__fake/reset
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def discover() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    # core first: its catch-alls (if any) must not shadow, and its routes are the base.
    names.sort(key=lambda n: (n != "core", n))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]
