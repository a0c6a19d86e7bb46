"""Route factories applying Nextcloud's rules per area."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .auth import current_user, require_ocs_api_request

Endpoint = Callable[[Request], Awaitable[Response]]


def _guard(endpoint: Endpoint, *, public: bool, ocs: bool) -> Endpoint:
    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        if not public:
            await current_user(request)  # login first (SecurityMiddleware: NotLoggedIn before CSRF)
        if ocs:
            require_ocs_api_request(request)
        return await endpoint(request)

    return guarded


def ocs_route(path: str, endpoint: Endpoint, methods: list[str] | None = None, public: bool = False) -> list[Route]:
    """`path` below /ocs/v{1,2}.php, e.g. "/cloud/user": two routes (v1 and v2) answering the same data."""
    wrapped = _guard(endpoint, public=public, ocs=True)
    return [Route(f"/ocs/{v}.php{path}", wrapped, methods=methods or ["GET"]) for v in ("v1", "v2")]


def app_route(path: str, endpoint: Endpoint, methods: list[str] | None = None, public: bool = False) -> Route:
    """An AppFramework route, e.g. "/apps/notes/api/v1/notes": served at /index.php/apps/... only
    (a Nextcloud without pretty URLs; the server must not rely on them)."""
    return Route(f"/index.php{path}", _guard(endpoint, public=public, ocs=False), methods=methods or ["GET"])


def dav_route(path: str, endpoint: Endpoint, methods: list[str] | None = None, public: bool = False) -> Route:
    """A route below /remote.php/dav, e.g. "/files/{user}/{path:path}"."""
    return Route(f"/remote.php/dav{path}", _guard(endpoint, public=public, ocs=False), methods=methods or ["PROPFIND"])
