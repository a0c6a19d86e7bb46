"""A real WebDAV server (WsgiDAV on cheroot) standing in for Nextcloud's files endpoint.

WsgiDAV serves a temporary folder at `/remote.php/dav/files/alice/` with HTTP Basic auth (alice's app
password). A thin WSGI wrapper adds only what WsgiDAV lacks and our server needs to find that URL:
`PROPFIND /remote.php/dav/` (current-user-principal discovery) and `/status.php` (readiness). Everything
else (PROPFIND/GET/PUT/MKCOL/DELETE/MOVE/COPY, If-Match/If-None-Match/If:, Overwrite, 207/404/409/412)
is WsgiDAV's own behaviour.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from cheroot import wsgi
from wsgidav.fs_dav_provider import FilesystemProvider
from wsgidav.wsgidav_app import WsgiDAVApp

USER, PASSWORD = "alice", "alice-app-password"
MOUNT = f"/remote.php/dav/files/{USER}"

PRINCIPAL = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<d:multistatus xmlns:d="DAV:"><d:response><d:href>/remote.php/dav/</d:href><d:propstat><d:prop>'
    f"<d:current-user-principal><d:href>/remote.php/dav/principals/users/{USER}/</d:href></d:current-user-principal>"
    "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"
)


def build_app(root: Path):
    dav = WsgiDAVApp({
        "provider_mapping": {MOUNT: FilesystemProvider(str(root))},
        "http_authenticator": {"domain_controller": None, "accept_basic": True, "accept_digest": False,
                               "default_to_digest": False},
        "simple_dc": {"user_mapping": {"*": {USER: {"password": PASSWORD}}}},
        "verbose": 1,
        "logging": {"enable_loggers": []},
        "property_manager": True,
        "lock_storage": True,
        "dir_browser": {"enable": False},
    })

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/status.php":
            body = json.dumps({"installed": True, "maintenance": False, "version": "30.0.0.0",
                               "productname": "WsgiDAV peer"}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path in ("/remote.php/dav", "/remote.php/dav/") and environ["REQUEST_METHOD"] == "PROPFIND":
            body = PRINCIPAL.encode()
            start_response("207 Multi-Status", [("Content-Type", "application/xml; charset=utf-8"),
                                                ("Content-Length", str(len(body)))])
            return [body]
        return dav(environ, start_response)

    return app


class WsgiDavPeer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.server = wsgi.Server(("127.0.0.1", 0), build_app(root))
        self.server.prepare()
        self.url = f"http://127.0.0.1:{self.server.bind_addr[1]}"
        self.thread = threading.Thread(target=self.server.serve, daemon=True)

    def start(self) -> WsgiDavPeer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.stop()
