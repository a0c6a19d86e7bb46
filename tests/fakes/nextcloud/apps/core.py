"""Core Nextcloud surface: status.php, OCS capabilities and current user, DAV principal discovery,
and the OpenID discovery document (a copy of the provider's, as Nextcloud's oidc app serves it).

Shapes from ../shared/nextcloud-api/: ocs/GET_v2_cloud_capabilities.json (+ notes/deck parts),
ocs/GET_v2_cloud_user.json.txt, errors/http_503_maintenance.txt (status.php keys).
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import dav
from ..auth import current_user, get_state, load_discovery
from ..ocs import ocs_response
from ..routing import dav_route, ocs_route
from ..state import FakeState

VERSION = {"major": 30, "minor": 0, "micro": 0, "string": "30.0.0", "edition": "", "extendedSupport": False}

BASE_CAPABILITIES: dict[str, Any] = {
    "core": {"pollinterval": 60, "webdav-root": "remote.php/webdav"},
    "theming": {
        "name": "Nextcloud", "url": "https://nextcloud.com", "slogan": "A safe home for all your data",
        "color": "#0082c9", "color-text": "#ffffff", "color-element": "#0082c9",
        "color-element-bright": "#aaaaaa", "color-element-dark": "#555555",
        "logo": "http://cloud.example.com/index.php/apps/theming/logo?v=1",
        "background": "http://cloud.example.com/index.php/apps/theming/logo?v=1",
        "background-plain": False, "background-default": False,
    },
}

# Capability fragments of optional apps, used while no app module of that id provides `capabilities()`.
KNOWN_APP_CAPABILITIES: dict[str, dict[str, Any]] = {
    # notes/GET_capabilities_notes.json (verbatim doc example)
    "notes": {"notes": {"api_version": ["0.2", "1.0"], "version": "3.6.0"}},
    # deck/capabilities_deck.json (verbatim doc example)
    "deck": {"deck": {"version": "0.8.0", "canCreateBoards": True}},
    # tables/openapi_subset.json Capabilities schema (values illustrative)
    "tables": {"tables": {
        "enabled": True, "version": "0.8.0", "apiVersions": ["1.0", "2.0"],
        "features": ["favorite", "archive", "context"], "isCirclesEnabled": False,
        "column_types": ["text-line", "text-long", "text-rich", "text-link", "number", "number-stars",
                         "number-progress", "selection", "selection-multi", "selection-check", "datetime",
                         "datetime-date", "datetime-time", "usergroup"],
    }},
}


def capabilities_for(request: Request) -> dict[str, Any]:
    state = get_state(request)
    caps = copy.deepcopy(BASE_CAPABILITIES)
    modules = request.app.state.modules
    provided = {getattr(m, "APP", None): m for m in modules if hasattr(m, "capabilities") and getattr(m, "APP", None)}
    for module in modules:  # always-on parts (files) add their own block
        fn = getattr(module, "capabilities", None)
        if getattr(module, "APP", None) is None and fn is not None and not inspect.iscoroutinefunction(fn):
            caps.update(fn(state))
    for app_id in sorted(state.apps):
        if app_id in provided:
            caps.update(provided[app_id].capabilities(state))
        elif app_id in KNOWN_APP_CAPABILITIES:
            caps.update(copy.deepcopy(KNOWN_APP_CAPABILITIES[app_id]))
    return {"version": dict(VERSION), "capabilities": caps}


async def capabilities(request: Request) -> Response:
    return ocs_response(request, capabilities_for(request))


async def cloud_user(request: Request) -> Response:
    uid = await current_user(request)
    user = get_state(request).user(uid)
    data = {
        "enabled": True,
        "storageLocation": f"/var/www/html/data/{uid}",
        "id": uid,
        "lastLogin": 1578283711000,
        "backend": "Database",
        "subadmin": [],
        "quota": {"free": 20632824998, "used": 842011482, "total": 21474836480, "relative": 3.92, "quota": 21474836480},
        "email": user.email,
        "displayname": user.display_name,
        "display-name": user.display_name,
        "phone": "",
        "address": "",
        "website": "",
        "twitter": "",
        "groups": ["users"],
        "language": "en",
        "locale": "en_US",
        "backendCapabilities": {"setDisplayName": True, "setPassword": True},
    }
    return ocs_response(request, data)


async def status_php(request: Request) -> Response:
    state = get_state(request)
    return JSONResponse({
        "installed": True, "maintenance": state.down == "maintenance", "needsDbUpgrade": False,
        "version": "30.0.0.14", "versionstring": "30.0.0", "edition": "", "productname": "Nextcloud",
        "extendedSupport": False,
    })


def _principal_href(uid: str) -> str:
    return f"/remote.php/dav/principals/users/{uid}/"


async def dav_root(request: Request) -> Response:
    """PROPFIND /remote.php/dav/ (Depth 0): current-user-principal discovery."""
    uid = await current_user(request)
    wanted = await dav.requested_props(request)
    available: dict[str, Any] = {
        "{DAV:}current-user-principal": dav.Raw(f"<d:href>{_principal_href(uid)}</d:href>"),
        "{DAV:}resourcetype": dav.Raw("<d:collection/>"),
    }
    found, missing = _select(available, wanted)
    return dav.multistatus_response([("/remote.php/dav/", found, missing)])


async def principal(request: Request) -> Response:
    uid = await current_user(request)
    who = request.path_params["uid"]
    if who != uid and who not in get_state(request).users:
        return dav.not_found(f"Principal with name {who} not found")
    user = get_state(request).user(who)
    wanted = await dav.requested_props(request)
    available: dict[str, Any] = {
        "{DAV:}displayname": user.display_name,
        "{DAV:}resourcetype": dav.Raw("<d:principal/>"),
        "{DAV:}principal-URL": dav.Raw(f"<d:href>{_principal_href(who)}</d:href>"),
        "{DAV:}current-user-principal": dav.Raw(f"<d:href>{_principal_href(uid)}</d:href>"),
        "{urn:ietf:params:xml:ns:caldav}calendar-home-set": dav.Raw(f"<d:href>/remote.php/dav/calendars/{who}/</d:href>"),
        "{urn:ietf:params:xml:ns:carddav}addressbook-home-set": dav.Raw(f"<d:href>/remote.php/dav/addressbooks/users/{who}/</d:href>"),
        "{http://sabredav.org/ns}email-address": user.email,
        # sabre lists the e-mail (mailto:) first, then the principal URL.
        "{urn:ietf:params:xml:ns:caldav}calendar-user-address-set": dav.Raw(
            f"<d:href>mailto:{user.email}</d:href><d:href>{_principal_href(who)}</d:href>"),
        "{urn:ietf:params:xml:ns:caldav}schedule-outbox-URL": dav.Raw(f"<d:href>/remote.php/dav/calendars/{who}/outbox/</d:href>"),
        "{urn:ietf:params:xml:ns:caldav}schedule-inbox-URL": dav.Raw(f"<d:href>/remote.php/dav/calendars/{who}/inbox/</d:href>"),
    }
    found, missing = _select(available, wanted)
    return dav.multistatus_response([(_principal_href(who), found, missing)])


def _select(available: dict[str, Any], wanted: list[str] | None) -> tuple[dict[str, Any], list[str]]:
    if wanted is None:
        return available, []
    found = {k: available[k] for k in wanted if k in available}
    missing = [k for k in wanted if k not in available]
    return found, missing


async def openid_configuration(request: Request) -> Response:
    doc = await load_discovery(request)
    return JSONResponse(doc, headers={"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET"})


def routes(state: FakeState) -> list[Route]:
    return [
        Route("/status.php", status_php, methods=["GET"]),
        Route("/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/index.php/apps/oidc/openid-configuration", openid_configuration, methods=["GET"]),
        *ocs_route("/cloud/capabilities", capabilities),
        *ocs_route("/cloud/user", cloud_user),
        dav_route("/", dav_root, methods=["PROPFIND"]),
        dav_route("", dav_root, methods=["PROPFIND"]),
        dav_route("/principals/users/{uid}/", principal, methods=["PROPFIND"]),
        dav_route("/principals/users/{uid}", principal, methods=["PROPFIND"]),
    ]
