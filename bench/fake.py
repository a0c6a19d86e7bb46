"""`python -m bench.fake ...`: the Nextcloud contract fake (tests/fakes/nextcloud, same options),
plus bench/fake_apps modules for the APIs the fake has no module of its own for yet."""

from __future__ import annotations

import importlib
import pkgutil

from tests.fakes.nextcloud import apps as fake_apps
from tests.fakes.nextcloud.__main__ import main

from . import fake_apps as bench_apps

_discover = fake_apps.discover


def discover():
    modules = _discover()
    names = {m.__name__.rsplit(".", 1)[-1] for m in modules}
    has_notes = "notes" in names
    has_files = bool(names & {"files", "webdav", "dav_files"})
    extra = []
    for info in pkgutil.iter_modules(bench_apps.__path__):
        if (info.name == "bench_notes" and not has_notes) or (info.name == "bench_files" and not has_files):
            extra.append(importlib.import_module(f"{bench_apps.__name__}.{info.name}"))
    print("bench fake: added " + (", ".join(m.__name__ for m in extra) or "nothing"), flush=True)
    return modules + extra


fake_apps.discover = discover

if __name__ == "__main__":
    main()
