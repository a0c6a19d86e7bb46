"""The fake Nextcloud ASGI app: app modules' routes + /__fake/ control endpoints + fault injection."""

from __future__ import annotations

import asyncio
import copy
import re
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import apps as apps_pkg
from . import dav, ocs
from .auth import CsrfCheckFailed, NotAuthenticated, csrf_failed_response, load_discovery, unauthenticated_response
from .state import Fault, FakeState, User

# App ids that Nextcloud ships always enabled: never gated by --apps.
ALWAYS_ON = {"files", "dav", "files_sharing", "provisioning_api", "theming", "oidc", "systemtags",
             "files_versions", "files_trashbin", "comments", "user_oidc"}
_APP_PATH = re.compile(r"^/(?:index\.php/)?apps/([^/]+)/|^/ocs/v[12]\.php/apps/([^/]+)/")

MAINTENANCE_HTML = (
    "<!DOCTYPE html><html><head><title>Nextcloud</title></head><body>"
    "<h2>Maintenance mode</h2><p>This Nextcloud instance is currently in maintenance mode, "
    "which may take a while. This page will refresh itself when the instance is available again.</p>"
    "</body></html>"
)


def unavailable_response(path: str, status: int = 503, message: str = "System is in maintenance mode.",
                         retry_after: int | None = 120) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if path.startswith(("/remote.php/", "/public.php/")):
        exc = "Sabre\\DAV\\Exception\\ServiceUnavailable" if status == 503 else "Sabre\\DAV\\Exception"
        return dav.sabre_error(status, exc, message, headers=headers)
    if status == 429:
        return JSONResponse({"message": "Rate limit exceeded"}, status_code=429, headers=headers)
    return HTMLResponse(MAINTENANCE_HTML, status_code=status, headers=headers)


class DropConnection(Exception):
    """Raised after the response head: uvicorn then closes the connection mid-response."""


async def drop_connection(send: Send) -> None:
    # A response head promising a body that never comes, then an error: the server closes the socket,
    # so the client sees the connection dropped mid-response (as with a crashed or unreachable host).
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")]})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
    raise DropConnection("fake Nextcloud: dropping the connection (down mode 'close')")


class FaultMiddleware:
    """Latency, maintenance mode, injected faults, app gating and per-route stats (not for /__fake/)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__fake/"):
            await self.app(scope, receive, send)
            return
        state: FakeState = scope["app"].state.fake
        path, method = scope["path"], scope["method"]
        state.stats.total += 1
        state.stats.routes[f"{method} {path}"] += 1
        for name in (b"ocs-apirequest", b"x-request-id", b"user-agent"):
            if any(k == name for k, _ in scope["headers"]):
                state.stats.headers_seen[name.decode()] += 1
        if state.latency_ms:
            await asyncio.sleep(state.latency_ms / 1000)
        override = _override_for(state, method, path)
        if override is not None:
            await override(scope, receive, send)
            return
        fault = state.fault
        fault_hit = fault is not None and fault.matches(path) and fault.hit()
        if fault_hit:
            state.stats.faults_injected += 1
        response: Response | None = None
        if state.down == "close" or (fault_hit and fault.status == -1):
            await drop_connection(send)
            return
        if state.down == "maintenance" and path != "/status.php":
            response = unavailable_response(path)
        elif state.down == "error":
            response = HTMLResponse("<h1>Internal Server Error</h1>", status_code=500)
        elif fault_hit:
            if fault.delay_ms:
                await asyncio.sleep(fault.delay_ms / 1000)
            if fault.status:
                response = unavailable_response(
                    path, fault.status,
                    message="Injected fault" if fault.status != 503 else "System is in maintenance mode.",
                    retry_after=getattr(fault, "retry_after", None),
                )
        if response is None:
            m = _APP_PATH.match(path)
            app_id = (m.group(1) or m.group(2)) if m else None
            if app_id and app_id not in ALWAYS_ON and app_id not in state.apps:
                response = not_found_response(path, f"App {app_id} is not enabled")
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _override_for(state: FakeState, method: str, path: str) -> Response | None:
    """A canned answer set with POST /__fake/respond (malformed/huge/hostile bodies for bad-input tests)."""
    for o in getattr(state, "overrides", []):
        if o.get("method", "*") in ("*", method) and path.startswith(o.get("path", "/")):
            body = (o.get("body", "") + o.get("repeat_unit", "") * int(o.get("repeat", 0)) + o.get("suffix", "")).encode()
            return Response(body, status_code=int(o.get("status", 200)), headers=o.get("headers") or {},
                            media_type=o.get("content_type", "application/xml; charset=utf-8"))
    return None


def not_found_response(path: str, message: str = "Not found") -> Response:
    if path.startswith(("/ocs/v1.php/", "/ocs/v2.php/")):
        # Unknown OCS route: Nextcloud answers 404 (v2) / statuscode 998 in the envelope.
        meta_v1 = path.startswith("/ocs/v1.php/")
        body = {"ocs": {"meta": {"status": "failure", "statuscode": 998 if meta_v1 else 404,
                                 "message": "Invalid query, please check the syntax. API specifications are here: "
                                            "http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n"},
                        "data": []}}
        return JSONResponse(body, status_code=404)
    if path.startswith(("/remote.php/", "/public.php/")):
        return dav.not_found(message)
    return HTMLResponse(f"<html><body><h2>Page not found</h2><p>{message}</p></body></html>", status_code=404)


# ---------------------------------------------------------------- /__fake/ control endpoints
def control_routes(modules: list) -> list[Route]:
    def st(request: Request) -> FakeState:
        return request.app.state.fake

    async def stats(request: Request) -> Response:
        return JSONResponse(st(request).stats.snapshot())

    async def reset(request: Request) -> Response:
        state = st(request)
        state.stats.reset()
        state.fault = None
        state.down = None
        state.overrides = []  # type: ignore[attr-defined]
        state.restore_startup()
        state.data.clear()
        for hook in state.reset_hooks:
            hook(state)
        return JSONResponse({"ok": True})

    async def reset_stats(request: Request) -> Response:
        st(request).stats.reset()
        return JSONResponse({"ok": True})

    async def fault(request: Request) -> Response:
        body = await request.json() if (await request.body()) else {}
        state = st(request)
        if not body or body.get("clear"):
            state.fault = None
            return JSONResponse({"fault": None})
        f = Fault(
            status=int(body.get("status", 503)),
            share=float(body.get("share", 1.0)),
            delay_ms=int(body.get("delay_ms", 0)),
            routes=body.get("routes"),
        )
        if "retry_after" in body:
            f.retry_after = int(body["retry_after"])  # type: ignore[attr-defined]
        state.fault = f
        return JSONResponse({"fault": {"status": f.status, "share": f.share, "delay_ms": f.delay_ms, "routes": f.routes}})

    async def down(request: Request) -> Response:
        body = await request.json() if (await request.body()) else {}
        mode = body.get("mode", "maintenance")
        if mode not in ("maintenance", "error", "close"):
            return JSONResponse({"error": "mode must be maintenance, error or close"}, status_code=400)
        st(request).down = mode
        return JSONResponse({"down": mode})

    async def up(request: Request) -> Response:
        st(request).down = None
        return JSONResponse({"down": None})

    async def apps(request: Request) -> Response:
        state = st(request)
        if request.method == "POST":
            body = await request.json()
            if "enabled" in body:
                state.apps = set(body["enabled"])
            for a in body.get("enable", []):
                state.apps.add(a)
            for a in body.get("disable", []):
                state.apps.discard(a)
        return JSONResponse({"enabled": sorted(state.apps)})

    async def users(request: Request) -> Response:
        state = st(request)
        if request.method == "POST":
            body = await request.json()
            uid = body["uid"]
            user = User(uid=uid, app_password=body.get("app_password", ""),
                        display_name=body.get("display_name", uid.capitalize()),
                        email=body.get("email", f"{uid}@example.com"))
            state.users[uid] = user
            state.logins[uid] = uid
            for alias in body.get("logins", []):
                state.logins[alias] = uid
        return JSONResponse({
            "users": {u.uid: {"display_name": u.display_name, "email": u.email} for u in state.users.values()},
            "logins": state.logins,
        })

    async def latency(request: Request) -> Response:
        body = await request.json()
        st(request).latency_ms = int(body.get("latency_ms", 0))
        return JSONResponse({"latency_ms": st(request).latency_ms})

    async def discovery_no_s256(request: Request) -> Response:
        doc = copy.deepcopy(await load_discovery(request))
        methods = [m for m in doc.get("code_challenge_methods_supported", []) if m != "S256"]
        if methods:
            doc["code_challenge_methods_supported"] = methods
        else:
            doc.pop("code_challenge_methods_supported", None)
        return JSONResponse(doc)

    async def discovery_plain_only(request: Request) -> Response:
        doc = copy.deepcopy(await load_discovery(request))
        doc["code_challenge_methods_supported"] = ["plain"]
        return JSONResponse(doc)

    async def respond(request: Request) -> Response:
        """POST {method?, path (prefix), status?, headers?, content_type?, body?, repeat_unit?, repeat?, suffix?}
        makes matching requests get exactly that answer (appended; DELETE clears all)."""
        state = st(request)
        if request.method == "DELETE":
            state.overrides = []  # type: ignore[attr-defined]
        else:
            body = await request.json()
            state.overrides = [*getattr(state, "overrides", []), body]  # type: ignore[attr-defined]
        return JSONResponse({"overrides": len(state.overrides)})  # type: ignore[attr-defined]

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "apps": [getattr(m, "APP", m.__name__.rsplit(".", 1)[-1]) for m in modules]})

    return [
        Route("/__fake/stats", stats, methods=["GET"]),
        Route("/__fake/reset", reset, methods=["POST"]),
        Route("/__fake/reset-stats", reset_stats, methods=["POST"]),
        Route("/__fake/fault", fault, methods=["POST", "DELETE"]),
        Route("/__fake/down", down, methods=["POST"]),
        Route("/__fake/up", up, methods=["POST"]),
        Route("/__fake/apps", apps, methods=["GET", "POST"]),
        Route("/__fake/users", users, methods=["GET", "POST"]),
        Route("/__fake/latency", latency, methods=["POST"]),
        Route("/__fake/discovery/no-s256", discovery_no_s256, methods=["GET"]),
        Route("/__fake/discovery/plain-only", discovery_plain_only, methods=["GET"]),
        Route("/__fake/respond", respond, methods=["POST", "DELETE"]),
        Route("/__fake/health", health, methods=["GET"]),
    ]


def build_app(state: FakeState) -> Starlette:
    modules = apps_pkg.discover()
    routes: list[Any] = control_routes(modules)
    for module in modules:
        routes.extend(module.routes(state))
        if hasattr(module, "reset"):
            state.reset_hooks.append(module.reset)
            module.reset(state)

    async def on_not_authenticated(request: Request, exc: Exception) -> Response:
        return unauthenticated_response(request, getattr(exc, "reason", ""))

    async def on_csrf(request: Request, exc: Exception) -> Response:
        return csrf_failed_response(request)

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return not_found_response(request.url.path)
        return Response(exc.detail or "", status_code=exc.status_code, headers=exc.headers)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
            app.state.http = client
            yield

    app = Starlette(
        routes=routes,
        exception_handlers={NotAuthenticated: on_not_authenticated, CsrfCheckFailed: on_csrf,
                            HTTPException: on_http_exception},
        lifespan=lifespan,
    )
    app.state.fake = state
    app.state.modules = modules
    app.add_middleware(FaultMiddleware)
    return app


def capabilities_of(state: FakeState, modules: list) -> dict[str, Any]:
    caps: dict[str, Any] = {}
    for module in modules:
        app_id = getattr(module, "APP", None)
        if app_id is not None and app_id not in state.apps and app_id not in ALWAYS_ON:
            continue
        fn = getattr(module, "capabilities", None)
        if fn is not None:
            caps.update(fn(state))
    return caps


__all__ = ["build_app", "capabilities_of", "ocs"]
