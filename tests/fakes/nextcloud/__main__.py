"""python -m tests.fakes.nextcloud --port P --oidc-issuer URL [--users ...] [--apps ...] [--latency-ms N]

Prints "READY <base url>" on stdout once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import uvicorn

from .app import DropConnection, build_app
from .state import FakeState, User

DEFAULT_USERS = "alice:alice-app-password,bob:bob-app-password,alice@example.com=alice:alice-app-password"
DEFAULT_APPS = "notes,deck,tables,calendar,contacts,spreed,mail,news,collectives,shopping_list,cookbook"


def parse_users(spec: str) -> tuple[dict[str, User], dict[str, str]]:
    """`login[=uid]:app-password,...`; a login differing from its uid is an alias (e.g. an e-mail login)."""
    users: dict[str, User] = {}
    logins: dict[str, str] = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        login_part, _, password = item.partition(":")
        login, _, uid = login_part.partition("=")
        uid = uid or login
        if uid not in users:
            users[uid] = User(uid=uid, app_password=password, display_name=f"{uid.capitalize()} Example",
                              email=f"{uid}@example.com")
            logins[uid] = uid
        logins[login] = uid
    return users, logins


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m tests.fakes.nextcloud", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--oidc-issuer", default=None, help="issuer URL of the OIDC provider (its userinfo validates bearer tokens)")
    p.add_argument("--users", default=DEFAULT_USERS, help=f"login[=uid]:app-password,... (default {DEFAULT_USERS})")
    p.add_argument("--apps", default=DEFAULT_APPS, help=f"enabled optional apps (default {DEFAULT_APPS})")
    p.add_argument("--latency-ms", type=int, default=0, help="added to every request")
    p.add_argument("--log-level", default="warning")
    args = p.parse_args(argv)

    users, logins = parse_users(args.users)
    state = FakeState(
        oidc_issuer=args.oidc_issuer.rstrip("/") if args.oidc_issuer else None,
        users=users,
        logins=logins,
        apps={a.strip() for a in args.apps.split(",") if a.strip()},
        latency_ms=args.latency_ms,
    )
    app = build_app(state)

    class _QuietDrops(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            exc = record.exc_info[1] if record.exc_info else None
            while exc is not None:
                if isinstance(exc, DropConnection):
                    return False
                exc = exc.__cause__ or exc.__context__ or (exc.exceptions[0] if isinstance(exc, BaseExceptionGroup) else None)
            return True

    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False,
                            lifespan="on", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)

    async def announce() -> None:
        while not server.started:
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        state.public_url = f"http://{args.host}:{port}"
        sys.stdout.write(f"READY {state.public_url}\n")
        sys.stdout.flush()

    async def run() -> None:
        task = asyncio.create_task(announce())
        await server.serve()
        task.cancel()

    asyncio.run(run())


if __name__ == "__main__":
    main()
