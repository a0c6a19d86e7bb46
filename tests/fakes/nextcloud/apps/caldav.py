"""CalDAV/CardDAV homes as Nextcloud (Sabre) reports them: only the Nextcloud-specific paths and
properties the client reads — `/remote.php/dav/calendars/<uid>/` and
`/remote.php/dav/addressbooks/users/<uid>/`, the default `personal` calendar and `contacts`
address book, the read-only `contact_birthdays` calendar, the scheduling inbox/outbox (not
calendars), `x1:calendar-color` (Apple namespace, prefixed x1 by Sabre), `oc:owner-principal`
(relative `principals/users/<uid>`) and `d:owner`. Objects, vCard versions and scheduling: see `caldav_objects.py`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import dav
from ..auth import current_user
from ..routing import dav_route
from ..state import FakeState

CAL = "urn:ietf:params:xml:ns:caldav"


def _calendar(uid: str, name: str, display: str, color: str, comps: list[str], ctag: int) -> dict[str, Any]:
    return {
        "{DAV:}resourcetype": dav.Raw("<d:collection/><cal:calendar/>"),
        "{DAV:}displayname": display,
        "{http://apple.com/ns/ical/}calendar-color": color,
        "{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set": dav.Raw("".join(f'<cal:comp name="{c}"/>' for c in comps)),
        "{DAV:}owner": dav.Raw(f"<d:href>/remote.php/dav/principals/users/{uid}/</d:href>"),
        "{http://owncloud.org/ns}owner-principal": f"principals/users/{uid}",
        "{http://calendarserver.org/ns/}getctag": f"http://sabre.io/ns/sync/{ctag}",
    }


def _select(props: dict[str, Any], wanted: list[str] | None) -> tuple[dict[str, Any], list[str]]:
    if wanted is None:
        return props, []
    return {k: props[k] for k in wanted if k in props}, [k for k in wanted if k not in props]


async def calendar_home(request: Request) -> Response:
    uid = await current_user(request)
    if request.path_params["uid"] != uid:
        return dav.not_found(f"Node with name '{request.path_params['uid']}' could not be found")
    wanted = await dav.requested_props(request)
    home = f"/remote.php/dav/calendars/{uid}/"
    entries: list[tuple[str, dict[str, Any]]] = [(home, {"{DAV:}resourcetype": dav.Raw("<d:collection/>")})]
    if request.headers.get("Depth", "1") != "0":
        entries += [
            (f"{home}personal/", _calendar(uid, "personal", "Personal", "#0082c9", ["VEVENT", "VTODO"], 12)),
            (f"{home}contact_birthdays/", _calendar(uid, "contact_birthdays", "Contact birthdays", "#E9D859", ["VEVENT"], 3)),
            (f"{home}inbox/", {"{DAV:}resourcetype": dav.Raw("<d:collection/><cal:schedule-inbox/>")}),
            (f"{home}outbox/", {"{DAV:}resourcetype": dav.Raw("<d:collection/><cal:schedule-outbox/>")}),
        ]
    return dav.multistatus_response([(href, *_select(props, wanted)) for href, props in entries])


async def addressbook_home(request: Request) -> Response:
    uid = await current_user(request)
    if request.path_params["uid"] != uid:
        return dav.not_found(f"Node with name '{request.path_params['uid']}' could not be found")
    wanted = await dav.requested_props(request)
    home = f"/remote.php/dav/addressbooks/users/{uid}/"
    book = {
        "{DAV:}resourcetype": dav.Raw("<d:collection/><card:addressbook/>"),
        "{DAV:}displayname": "Contacts",
        "{DAV:}owner": dav.Raw(f"<d:href>/remote.php/dav/principals/users/{uid}/</d:href>"),
        "{http://owncloud.org/ns}owner-principal": f"principals/users/{uid}",
        "{http://calendarserver.org/ns/}getctag": "http://sabre.io/ns/sync/7",
    }
    entries: list[tuple[str, dict[str, Any]]] = [(home, {"{DAV:}resourcetype": dav.Raw("<d:collection/>")})]
    if request.headers.get("Depth", "1") != "0":
        entries.append((f"{home}contacts/", book))
    return dav.multistatus_response([(href, *_select(props, wanted)) for href, props in entries])


def routes(state: FakeState) -> list[Route]:
    return [
        dav_route("/calendars/{uid}/", calendar_home, methods=["PROPFIND"]),
        dav_route("/addressbooks/users/{uid}/", addressbook_home, methods=["PROPFIND"]),
    ]
