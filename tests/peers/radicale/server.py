"""A real CalDAV/CardDAV server (Radicale, PyPI) for the calendar and contacts e2e tests.

Radicale serves at its root; Nextcloud serves DAV under `/remote.php/dav/`. Our client starts
discovery at `<nextcloud.url>/remote.php/dav/` (current-user-principal), so this wrapper mounts
Radicale under that prefix with WSGI SCRIPT_NAME (Radicale then writes every href with the
prefix). Everything after discovery follows Radicale's own paths: the principal and the
calendar/addressbook home are `/remote.php/dav/<user>/`, unlike Nextcloud's
`/remote.php/dav/calendars/<uid>/` — which is the point: nothing may be guessed.
It also answers `/status.php` like Nextcloud so the server's readiness check passes.

    python -m tests.peers.radicale.server --port 0 --dir DIR --users alice:pw,bob:pw
prints `READY http://127.0.0.1:PORT`.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path

import radicale
import radicale.config
from cheroot import wsgi

PREFIX = "/remote.php/dav"


def build_app(folder: Path, users: list[tuple[str, str]]):
    folder.mkdir(parents=True, exist_ok=True)
    htpasswd = folder / "users"
    htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in users))
    conf = folder / "radicale.conf"
    conf.write_text(
        "[auth]\ntype = htpasswd\nhtpasswd_encryption = plain\ndelay = 0\n"
        f"htpasswd_filename = {htpasswd}\n"
        f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
        "[rights]\ntype = owner_only\n[web]\ntype = none\n[logging]\nlevel = warning\n"
    )
    configuration = radicale.config.load([(str(conf), False)])
    dav = radicale.Application(configuration)

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/status.php":
            body = json.dumps({"installed": True, "maintenance": False, "needsDbUpgrade": False,
                               "version": "30.0.0.14", "versionstring": "30.0.0", "productname": "Radicale"}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == PREFIX or path.startswith(PREFIX + "/"):
            environ["SCRIPT_NAME"] = PREFIX
            environ["PATH_INFO"] = path[len(PREFIX):] or "/"
            return dav(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return [b"not found"]

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--users", default="alice:alice-app-password")
    args = parser.parse_args()
    users = [tuple(u.split(":", 1)) for u in args.users.split(",") if u]
    app = build_app(Path(args.dir), users)  # type: ignore[arg-type]
    sock = socket.socket()
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    sock.close()
    server = wsgi.Server(("127.0.0.1", port), app, numthreads=8)
    server.prepare()
    print(f"READY http://127.0.0.1:{port}", flush=True)
    try:
        server.serve()
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
