"""Calendar objects, vCards and scheduling as Nextcloud's sabre/dav 4.7 + sabre/vobject 4.5 do them.

- Objects in `personal` (and the schedule `inbox`) and in the `contacts` address book: GET, PUT
  (`If-None-Match: *` / `If-Match`, else 412), DELETE, PROPFIND (getetag, getcontentlength = the
  stored size), `calendar-query` / `addressbook-query` REPORTs (other REPORTs: 415, as sabre).
  Hrefs are percent-encoded per segment as sabre writes them (`#` → %23, `?` → %3F, `%` → %25).
- CardDAV answers vCard **3.0 unless 4.0 is asked for** (`Accept: text/vcard; version=4.0`, or
  `<card:address-data version="4.0"/>`): a card stored in the other version is converted, which
  re-writes VERSION and PRODID (sabre's), KIND ↔ X-ADDRESSBOOKSERVER-KIND and PREF=1 ↔ TYPE=PREF;
  a card asked for in its stored version comes back byte for byte.
- Scheduling (sabre's Schedule plugin): a PUT of an event whose ORGANIZER is one of the owner's
  calendar addresses delivers a METHOD:REQUEST copy to the schedule inbox of every ATTENDEE that
  is a local user and puts the event in their `personal` calendar; attendees removed by an update
  and every attendee on a DELETE by the organizer get a METHOD:CANCEL (their copy is marked
  STATUS:CANCELLED). Without ORGANIZER, or with someone else's, nothing is sent. External
  attendees are recorded as iMIP messages (`state.data["imip"]`).
- The scheduling outbox answers VFREEBUSY requests for local users from their `personal` events.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import dav
from ..auth import current_user, get_state
from ..routing import dav_route
from ..state import FakeState

CAL_NS = "urn:ietf:params:xml:ns:caldav"
CARD_NS = "urn:ietf:params:xml:ns:carddav"
SABRE_PRODID = "-//Sabre//Sabre VObject 4.5.6//EN"
CALENDARS = ("personal", "contact_birthdays", "inbox")
BOOKS = ("contacts",)


def reset(state: FakeState) -> None:
    state.data["dav_objects"] = {}
    state.data["imip"] = []
    state.data["dav_seq"] = 0


def _store(request: Request, kind: str, uid: str, coll: str) -> dict[str, dict[str, str]]:
    return _store_of(get_state(request), kind, uid, coll)


def _store_of(state: FakeState, kind: str, uid: str, coll: str) -> dict[str, dict[str, str]]:
    return state.data["dav_objects"].setdefault((kind, uid, coll), {})


def _put(state: FakeState, kind: str, uid: str, coll: str, name: str, data: str) -> str:
    state.data["dav_seq"] += 1
    etag = dav.make_etag(kind, uid, coll, name, data, state.data["dav_seq"])
    _store_of(state, kind, uid, coll)[name] = {"data": data, "etag": etag}
    return etag


def _href(kind: str, uid: str, coll: str, name: str = "") -> str:
    base = f"/remote.php/dav/calendars/{uid}/{coll}/" if kind == "cal" else f"/remote.php/dav/addressbooks/users/{uid}/{coll}/"
    return base + quote(name, safe="-_.~()!$&'*+,;=:@")


# ---------- content lines ----------

def unfold(text: str) -> list[str]:
    return [line for line in re.sub(r"\r?\n[ \t]", "", text).splitlines() if line]


def fold(line: str) -> str:
    out, raw = [], line.encode()
    while len(raw) > 75:
        cut = 75 if not out else 74
        while cut > 0 and (raw[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(raw[:cut].decode())
        raw = raw[cut:]
    out.append(raw.decode())
    return "\r\n ".join(out) + "\r\n"


def split_line(line: str) -> tuple[str, str, list[str], str]:
    """(group, NAME, params, value) of an unfolded content line; quoted parameter values may hold `:`/`;`."""
    quoted, head_end = False, len(line)
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            head_end = i
            break
    head, value = line[:head_end], line[head_end + 1:]
    parts, cur, quoted = [], "", False
    for ch in head:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    name = parts[0]
    group = ""
    if "." in name:
        group, name = name.rsplit(".", 1)
    return group, name.upper(), parts[1:], value


def join_line(group: str, name: str, params: list[str], value: str) -> str:
    return (f"{group}." if group else "") + ";".join([name, *params]) + ":" + value


def prop_values(text: str, name: str) -> list[tuple[list[str], str]]:
    return [(p, v) for g, n, p, v in map(split_line, unfold(text)) if n == name]


def address(value: str) -> str:
    v = value.strip().lower()
    return v[7:] if v.startswith("mailto:") else v


# ---------- vCard versions (sabre/vobject VCardConverter, the parts that matter) ----------

def vcard_version(text: str) -> str:
    for _, name, _, value in map(split_line, unfold(text)):
        if name == "VERSION":
            return value.strip()
    return "3.0"


def convert_vcard(text: str, target: str) -> str:
    if vcard_version(text) == target:
        return text  # sabre returns the stored data untouched when no conversion is needed
    out = ["BEGIN:VCARD", f"VERSION:{target}", f"PRODID:{SABRE_PRODID}"]
    for group, name, params, value in map(split_line, unfold(text)):
        if name in ("BEGIN", "END", "VERSION", "PRODID"):
            continue
        if target == "3.0":
            if name == "KIND":
                name = "X-ADDRESSBOOKSERVER-KIND"
            if any(p.upper() == "PREF=1" for p in params):
                params = [p for p in params if p.upper() != "PREF=1"] + ["TYPE=PREF"]
        else:
            if name == "X-ADDRESSBOOKSERVER-KIND":
                name = "KIND"
            new_params = []
            for p in params:
                if p.upper().startswith("TYPE="):
                    types = [t for t in p[5:].split(",") if t.upper() != "PREF"]
                    if len(types) != len(p[5:].split(",")):
                        new_params.append("PREF=1")
                    if types:
                        new_params.append("TYPE=" + ",".join(types))
                else:
                    new_params.append(p)
            params = new_params
        out.append(join_line(group, name, params, value))
    out.append("END:VCARD")
    return "".join(fold(line) for line in out)


def wanted_vcard_version(accept: str | None) -> str:
    return "4.0" if accept and re.search(r"version\s*=\s*\"?4\.0", accept) else "3.0"


# ---------- scheduling ----------

def _uid_by_address(state: FakeState, addr: str) -> str | None:
    for uid, user in state.users.items():
        if addr in (user.email.lower(), f"/remote.php/dav/principals/users/{uid}/".lower()):
            return uid
    return None


def _owner_addresses(state: FakeState, uid: str) -> set[str]:
    return {state.user(uid).email.lower(), f"/remote.php/dav/principals/users/{uid}/".lower()}


def _itip(data: str, method: str) -> str:
    lines = unfold(data)
    out = [line for line in lines if split_line(line)[1] != "METHOD"]
    at = out.index("BEGIN:VCALENDAR") + 1 if "BEGIN:VCALENDAR" in out else 0
    out.insert(at, f"METHOD:{method}")
    if method == "CANCEL":
        out = [line for line in out if split_line(line)[1] != "STATUS"]
        at = next((i for i, line in enumerate(out) if line == "BEGIN:VEVENT"), len(out) - 1) + 1
        out.insert(at, "STATUS:CANCELLED")
    return "".join(fold(line) for line in out)


def _organized_attendees(state: FakeState, owner: str, data: str | None) -> list[str] | None:
    """Attendee addresses when `owner` organises the event in `data`, else None (no scheduling)."""
    if not data:
        return None
    organizers = prop_values(data, "ORGANIZER")
    if not organizers or address(organizers[0][1]) not in _owner_addresses(state, owner):
        return None
    return [address(v) for _, v in prop_values(data, "ATTENDEE")]


def _deliver(state: FakeState, owner: str, name: str, data: str, method: str, recipients: list[str]) -> None:
    for addr in recipients:
        uid = _uid_by_address(state, addr)
        if uid == owner:
            continue
        if uid is None:
            state.data["imip"].append({"from": owner, "to": addr, "method": method})
            continue
        _put(state, "cal", uid, "inbox", f"{method.lower()}-{state.data['dav_seq'] + 1}-{name}", _itip(data, method))
        if method == "REQUEST":
            _put(state, "cal", uid, "personal", name, data)
        elif name in _store_of(state, "cal", uid, "personal"):
            _put(state, "cal", uid, "personal", name, _itip(_store_of(state, "cal", uid, "personal")[name]["data"], "CANCEL").replace("METHOD:CANCEL\r\n", ""))


def schedule(state: FakeState, owner: str, name: str, old: str | None, new: str | None) -> None:
    before = _organized_attendees(state, owner, old) or []
    after = _organized_attendees(state, owner, new)
    if new is not None and after is not None:
        _deliver(state, owner, name, new, "REQUEST", after)
        _deliver(state, owner, name, old or new, "CANCEL", [a for a in before if a not in after])
    elif new is None and old is not None and _organized_attendees(state, owner, old) is not None:
        _deliver(state, owner, name, old, "CANCEL", before)


# ---------- handlers ----------

def _own(request: Request, uid: str) -> Response | None:
    if request.path_params["uid"] != uid:
        return dav.not_found(f"Node with name '{request.path_params['uid']}' could not be found")
    return None


async def _target(request: Request) -> tuple[str, str, str] | Response:
    """(uid, "cal"|"card", collection) of a request on the user's own known collection, else a 404."""
    uid = await current_user(request)
    if (denied := _own(request, uid)) is not None:
        return denied
    if "/addressbooks/" in request.url.path:
        kind, coll = "card", request.path_params["book"]
    else:
        kind, coll = "cal", request.path_params["cal"]
    if coll not in (CALENDARS if kind == "cal" else BOOKS):
        return dav.not_found(f"Node with name '{coll}' could not be found")
    return uid, kind, coll


async def collection(request: Request) -> Response:
    target = await _target(request)
    if isinstance(target, Response):
        return target
    uid, kind, coll = target
    store = _store(request, kind, uid, coll)
    if request.method == "REPORT":
        return await _report(request, kind, uid, coll, store)
    wanted = await dav.requested_props(request)
    rtype = "<d:collection/><cal:calendar/>" if kind == "cal" else "<d:collection/><card:addressbook/>"
    if coll == "inbox":
        rtype = "<d:collection/><cal:schedule-inbox/>"
    entries: list[tuple[str, dict[str, Any]]] = [(_href(kind, uid, coll), {"{DAV:}resourcetype": dav.Raw(rtype)})]
    if request.headers.get("Depth", "1") != "0":
        for name, obj in sorted(store.items()):
            entries.append((_href(kind, uid, coll, name), _object_props(kind, obj)))
    return dav.multistatus_response([(href, *_select(props, wanted)) for href, props in entries])


def _object_props(kind: str, obj: dict[str, str]) -> dict[str, Any]:
    return {
        "{DAV:}getetag": dav.quote_etag(obj["etag"]),
        "{DAV:}getcontentlength": len(obj["data"].encode()),
        "{DAV:}getcontenttype": "text/calendar; charset=utf-8; component=vevent" if kind == "cal" else "text/vcard; charset=utf-8",
        "{DAV:}resourcetype": None,
    }


def _select(props: dict[str, Any], wanted: list[str] | None) -> tuple[dict[str, Any], list[str]]:
    if wanted is None:
        return props, []
    return {k: props[k] for k in wanted if k in props}, [k for k in wanted if k not in props]


async def _report(request: Request, kind: str, uid: str, coll: str, store: dict[str, dict[str, str]]) -> Response:
    root = ET.fromstring(await request.body())
    query = f"{{{CAL_NS}}}calendar-query" if kind == "cal" else f"{{{CARD_NS}}}addressbook-query"
    if root.tag != query:
        return dav.sabre_error(415, "Sabre\\DAV\\Exception\\ReportNotSupported", "The {%s}%s REPORT is not supported on this url." % tuple(root.tag[1:].split("}")))
    comps = [c.get("name", "").upper() for c in root.iter(f"{{{CAL_NS}}}comp-filter")]
    matches = [m.text or "" for m in root.iter(f"{{{CAL_NS}}}text-match")]
    data_el = root.find(f".//{{{CARD_NS}}}address-data")
    version = "4.0" if data_el is not None and data_el.get("version") == "4.0" else "3.0"
    out = []
    for name, obj in sorted(store.items()):
        data = obj["data"]
        if kind == "cal":
            if len(comps) > 1 and f"BEGIN:{comps[1]}" not in data:
                continue
            uids = [v for _, v in prop_values(data, "UID")]
            if matches and not any(m in u for m in matches for u in uids):
                continue
            payload = f"<cal:calendar-data>{escape(data)}</cal:calendar-data>"
        else:
            payload = f"<card:address-data>{escape(convert_vcard(data, version))}</card:address-data>"
        out.append((_href(kind, uid, coll, name), {"{DAV:}getetag": dav.quote_etag(obj["etag"])}, payload))
    ns_decl = " ".join(f'xmlns:{p}="{u}"' for p, u in dav.NS.items())
    body = [f'<?xml version="1.0"?>\n<d:multistatus {ns_decl}>']
    for href, props, payload in out:
        body.append(f"<d:response><d:href>{escape(href)}</d:href><d:propstat><d:prop><d:getetag>{escape(props['{DAV:}getetag'])}</d:getetag>{payload}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>")
    body.append("</d:multistatus>")
    return Response("".join(body), status_code=207, headers=dav.XML_HEADERS)


async def obj_route(request: Request) -> Response:
    target = await _target(request)
    if isinstance(target, Response):
        return target
    uid, kind, coll = target
    state = get_state(request)
    store = _store(request, kind, uid, coll)
    name = request.path_params["name"]
    existing = store.get(name)
    if request.method in ("GET", "PROPFIND", "DELETE") and existing is None:
        return dav.not_found(f"Node with name '{name}' could not be found")
    if request.method == "GET":
        assert existing is not None
        data = existing["data"]
        ctype = "text/calendar; charset=utf-8"
        if kind == "card":
            data = convert_vcard(data, wanted_vcard_version(request.headers.get("accept")))
            ctype = "text/vcard; charset=utf-8"
        return Response(data, media_type=None, headers={"Content-Type": ctype, "ETag": dav.quote_etag(existing["etag"])})
    if request.method == "PROPFIND":
        assert existing is not None
        wanted = await dav.requested_props(request)
        return dav.multistatus_response([(_href(kind, uid, coll, name), *_select(_object_props(kind, existing), wanted))])
    if_match, if_none = request.headers.get("if-match"), request.headers.get("if-none-match")
    if if_none is not None and if_none.strip() == "*" and existing is not None:
        return dav.sabre_error(412, "Sabre\\DAV\\Exception\\PreconditionFailed", "An If-None-Match header was specified, but the ETag matched (or * was specified).")
    if if_match is not None and (existing is None or not dav.etag_matches(if_match, existing["etag"])):
        return dav.sabre_error(412, "Sabre\\DAV\\Exception\\PreconditionFailed", "An If-Match header was specified, but none of the specified ETags matched.")
    if request.method == "DELETE":
        assert existing is not None
        del store[name]
        if kind == "cal" and coll == "personal":
            schedule(state, uid, name, existing["data"], None)
        return Response(status_code=204)
    data = (await request.body()).decode()
    if kind == "cal" and "BEGIN:VCALENDAR" not in data:
        return dav.sabre_error(415, "Sabre\\DAV\\Exception\\UnsupportedMediaType", "This resource only supports valid iCalendar 2.0 data.")
    if kind == "card" and "BEGIN:VCARD" not in data:
        return dav.sabre_error(415, "Sabre\\DAV\\Exception\\UnsupportedMediaType", "This resource only supports valid vCard data.")
    etag = _put(state, kind, uid, coll, name, data)
    if kind == "cal" and coll == "personal":
        schedule(state, uid, name, existing["data"] if existing else None, data)
    return Response(status_code=204 if existing else 201, headers={"ETag": dav.quote_etag(etag)})


async def outbox(request: Request) -> Response:
    uid = await current_user(request)
    if (denied := _own(request, uid)) is not None:
        return denied
    state = get_state(request)
    text = (await request.body()).decode()
    start = next((v for _, v in prop_values(text, "DTSTART")), "")
    end = next((v for _, v in prop_values(text, "DTEND")), "")
    parts = ['<?xml version="1.0"?>\n<cal:schedule-response xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">']
    for _, value in prop_values(text, "ATTENDEE"):
        who = _uid_by_address(state, address(value))
        parts.append(f"<cal:response><cal:recipient><d:href>{escape(value)}</d:href></cal:recipient>")
        if who is None:
            parts.append("<cal:request-status>3.7;Could not find principal</cal:request-status></cal:response>")
            continue
        busy = []
        for obj in _store_of(state, "cal", who, "personal").values():
            lines = dict((n, v) for _, n, _, v in map(split_line, unfold(obj["data"])) if n in ("DTSTART", "DTEND", "TRANSP", "STATUS"))
            s, e = lines.get("DTSTART", ""), lines.get("DTEND", "")
            if s.endswith("Z") and e.endswith("Z") and lines.get("TRANSP") != "TRANSPARENT" and lines.get("STATUS") != "CANCELLED" and s < end and e > start:
                busy.append(f"FREEBUSY;FBTYPE=BUSY:{s}/{e}")
        cal = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{SABRE_PRODID}", "METHOD:REPLY", "BEGIN:VFREEBUSY",
                           f"DTSTART:{start}", f"DTEND:{end}", f"ATTENDEE:{value}", *busy, "END:VFREEBUSY", "END:VCALENDAR", ""])
        parts.append(f"<cal:request-status>2.0;Success</cal:request-status><cal:calendar-data>{escape(cal)}</cal:calendar-data></cal:response>")
    parts.append("</cal:schedule-response>")
    return Response("".join(parts), status_code=200, headers=dav.XML_HEADERS)


def routes(state: FakeState) -> list[Route]:
    return [
        dav_route("/calendars/{uid}/outbox/", outbox, methods=["POST"]),
        dav_route("/calendars/{uid}/{cal}/", collection, methods=["PROPFIND", "REPORT"]),
        dav_route("/calendars/{uid}/{cal}/{name}", obj_route, methods=["GET", "PUT", "DELETE", "PROPFIND"]),
        dav_route("/addressbooks/users/{uid}/{book}/", collection, methods=["PROPFIND", "REPORT"]),
        dav_route("/addressbooks/users/{uid}/{book}/{name}", obj_route, methods=["GET", "PUT", "DELETE", "PROPFIND"]),
    ]
