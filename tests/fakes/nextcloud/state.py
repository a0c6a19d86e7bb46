"""Mutable state of one fake Nextcloud process, shared by every app module."""

from __future__ import annotations

import collections
import copy
import dataclasses
import threading
from typing import Any


@dataclasses.dataclass
class User:
    uid: str
    app_password: str
    display_name: str
    email: str


@dataclasses.dataclass
class Fault:
    """Injected failure: `status` (0 = no answer until `delay_ms`, i.e. a timeout) for a share of calls."""

    status: int = 503
    share: float = 1.0
    delay_ms: int = 0
    routes: list[str] | None = None  # path prefixes; None = every non-control route
    seen: int = 0  # calls that matched `routes` since the fault was set

    def matches(self, path: str) -> bool:
        return self.routes is None or any(path.startswith(r) for r in self.routes)

    def hit(self) -> bool:
        """Deterministic: the k-th matching call is hit iff floor(k*share) > floor((k-1)*share)."""
        self.seen += 1
        k = self.seen
        return int(k * self.share + 1e-9) > int((k - 1) * self.share + 1e-9)


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self.total = 0
            self.routes: collections.Counter[str] = collections.Counter()
            self.users: collections.Counter[str] = collections.Counter()
            self.user_routes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
            self.auth: collections.Counter[str] = collections.Counter()
            self.userinfo_calls = 0
            self.faults_injected = 0
            self.headers_seen: collections.Counter[str] = collections.Counter()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "routes": dict(self.routes),
                "users": dict(self.users),
                "user_routes": {u: dict(c) for u, c in self.user_routes.items()},
                "auth": dict(self.auth),
                "userinfo_calls": self.userinfo_calls,
                "faults_injected": self.faults_injected,
                "headers_seen": dict(self.headers_seen),
            }


@dataclasses.dataclass
class FakeState:
    oidc_issuer: str | None
    users: dict[str, User]  # uid -> user
    logins: dict[str, str]  # login name (uid, email, alias) -> uid
    apps: set[str]
    latency_ms: int = 0
    public_url: str = ""
    down: str | None = None  # None | "maintenance" | "error"
    fault: Fault | None = None
    stats: Stats = dataclasses.field(default_factory=Stats)
    # Per-app storage: apps keep their data under data[<app name>]; reset by POST /__fake/reset.
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    # Discovery document of the OIDC provider, fetched lazily.
    discovery: dict[str, Any] | None = None
    # App modules' reset hooks, called on POST /__fake/reset.
    reset_hooks: list[Any] = dataclasses.field(default_factory=list)
    # Startup settings, restored by POST /__fake/reset.
    startup: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        self.startup = {
            "users": copy.deepcopy(self.users),
            "logins": dict(self.logins),
            "apps": set(self.apps),
            "latency_ms": self.latency_ms,
        }

    def restore_startup(self) -> None:
        self.users = copy.deepcopy(self.startup["users"])
        self.logins = dict(self.startup["logins"])
        self.apps = set(self.startup["apps"])
        self.latency_ms = self.startup["latency_ms"]

    def uid_for_login(self, login: str) -> str | None:
        return self.logins.get(login)

    def user(self, uid: str) -> User:
        """The user record of `uid` (bearer users unknown to --users get a generated record)."""
        if uid not in self.users:
            self.users[uid] = User(uid=uid, app_password="", display_name=uid.capitalize(), email=f"{uid}@example.com")
        return self.users[uid]
