"""Calendar tools against the Nextcloud fake's sabre/dav model (tests/fakes/nextcloud/apps/caldav_objects.py):
invitations through the Schedule plugin, attendees' replies kept, object names that need encoding,
and free-busy from the scheduling outbox."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.dav_peers import fails, ok
from tests.fakes.nextcloud.apps.caldav_objects import prop_values, unfold
from tests.harness import DELETE

ALICE = ("alice", "alice-app-password")
BOB = ("bob", "bob-app-password")


def basic() -> dict[str, Any]:
    return {"auth": {"mode": "basic", "basic": {"username": "alice", "password": ALICE[1]}, "oauth": DELETE}}


def dav(base: str, method: str, path: str, auth: tuple[str, str] = ALICE, body: str | None = None,
        headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.request(method, f"{base}/remote.php/dav/{path}", auth=auth, content=body, headers=headers or {})


def objects(base: str, user: str, calendar: str, auth: tuple[str, str]) -> dict[str, str]:
    """name (decoded) -> text of every object in a calendar, read back through REPORT."""
    body = ('<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/>'
            '</d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>')
    r = dav(base, "REPORT", f"calendars/{user}/{calendar}/", auth, body, {"Depth": "1"})
    assert r.status_code == 207, r.text
    from urllib.parse import unquote
    from xml.etree import ElementTree as ET
    out = {}
    for resp in ET.fromstring(r.content).iter("{DAV:}response"):
        href = resp.findtext("{DAV:}href") or ""
        out[unquote(href.rsplit("/", 1)[-1])] = resp.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data") or ""
    return out


def event(uid: str, summary: str = "x", extra: str = "") -> str:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270104T100000Z\r\nDTEND:20270104T110000Z\r\n"
            f"SUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n")


def methods_in(texts: dict[str, str]) -> list[str]:
    return sorted(v for text in texts.values() for _, v in prop_values(text, "METHOD"))


async def test_meeting_invites_attendees_and_delete_cancels(mcp_server, nextcloud):
    server = mcp_server(basic())
    made = await ok(server.url, "nc_calendar_create_meeting", {
        "calendar_name": "personal", "title": "Design review", "date": "2027-01-05", "time": "10:00",
        "duration_minutes": 30, "timezone": "Europe/Berlin", "attendees": "bob@example.com, ext@elsewhere.example"})
    assert made["invited"] == ["bob@example.com", "ext@elsewhere.example"], made
    stored = objects(nextcloud.url, "alice", "personal", ALICE)
    (text,) = stored.values()
    assert [v for _, v in prop_values(text, "ORGANIZER")] == ["mailto:alice@example.com"], text
    inbox = objects(nextcloud.url, "bob", "inbox", BOB)
    assert methods_in(inbox) == ["REQUEST"], inbox
    assert any("Design review" in t for t in objects(nextcloud.url, "bob", "personal", BOB).values())

    uid = made["event"]["uid"]
    gone = await ok(server.url, "nc_calendar_delete_event", {"calendar_name": "personal", "event_uid": uid})
    assert gone["deleted"] is True
    assert methods_in(objects(nextcloud.url, "bob", "inbox", BOB)) == ["CANCEL", "REQUEST"]


async def test_create_event_with_attendees_writes_the_organizer(mcp_server, nextcloud):
    server = mcp_server(basic())
    made = await ok(server.url, "nc_calendar_create_event", {
        "calendar_name": "personal", "title": "Lunch", "start_datetime": "2027-01-06T12:00:00Z", "attendees": "bob@example.com"})
    assert made["invited"] == ["bob@example.com"] and made["event"]["organizer"] == "alice@example.com", made
    assert methods_in(objects(nextcloud.url, "bob", "inbox", BOB)) == ["REQUEST"]
    alone = await ok(server.url, "nc_calendar_create_event", {
        "calendar_name": "personal", "title": "Focus", "start_datetime": "2027-01-07T12:00:00Z"})
    assert "organizer" not in alone["event"] and "invited" not in alone


async def test_attendees_who_stay_keep_their_reply(mcp_server, nextcloud):
    server = mcp_server(basic())
    bob_line = "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:bob@example.com"
    body = event("reply-1", "Kickoff", "ORGANIZER;CN=Alice:mailto:alice@example.com\r\n" + bob_line + "\r\n"
                 "ATTENDEE;CN=Carol;PARTSTAT=TENTATIVE:mailto:carol@example.com\r\n")
    assert dav(nextcloud.url, "PUT", "calendars/alice/personal/reply-1.ics", body=body).status_code == 201
    updated = await ok(server.url, "nc_calendar_update_event", {
        "calendar_name": "personal", "event_uid": "reply-1", "attendees": "bob@example.com, dave@example.com"})
    assert updated["invited"] == ["dave@example.com"], updated
    lines = unfold(objects(nextcloud.url, "alice", "personal", ALICE)["reply-1.ics"])
    assert bob_line in lines, lines
    assert not any("carol" in line for line in lines)
    dave = next(line for line in lines if "dave@example.com" in line)
    assert "PARTSTAT=NEEDS-ACTION" in dave and "RSVP=TRUE" in dave
    assert sum(line.startswith("ORGANIZER") for line in lines) == 1


async def test_object_names_needing_encoding_address_only_themselves(mcp_server, nextcloud):
    server = mcp_server(basic())
    for name, uid in [("victim.ics", "victim"), ("victim.ics#x", "evil-hash"), ("a?b.ics", "evil-query"), ("%2e", "evil-dot")]:
        from urllib.parse import quote
        r = dav(nextcloud.url, "PUT", f"calendars/alice/personal/{quote(name, safe='')}", body=event(uid, f"S {uid}"))
        assert r.status_code == 201, r.text
    out = await ok(server.url, "nc_calendar_delete_event", {"calendar_name": "personal", "event_uid": "evil-hash"})
    assert out["deleted"] is True, out
    await ok(server.url, "nc_calendar_update_event", {"calendar_name": "personal", "event_uid": "evil-query", "title": "renamed"})
    await ok(server.url, "nc_calendar_delete_event", {"calendar_name": "personal", "event_uid": "evil-dot"})
    left = objects(nextcloud.url, "alice", "personal", ALICE)
    assert sorted(left) == ["a?b.ics", "victim.ics"], left
    assert "SUMMARY:S victim" in left["victim.ics"] and "SUMMARY:renamed" in left["a?b.ics"]


async def test_availability_counts_the_attendees_busy_time(mcp_server, nextcloud):
    server = mcp_server(basic())
    busy = event("bob-busy", "Bob's meeting")
    assert dav(nextcloud.url, "PUT", "calendars/bob/personal/bob-busy.ics", BOB, busy).status_code == 201
    found = await ok(server.url, "nc_calendar_find_availability", {
        "duration_minutes": 60, "attendees": "bob@example.com", "date_range_start": "2027-01-04T09:00:00Z",
        "date_range_end": "2027-01-04T13:00:00Z"})
    assert found["attendees_checked"] == ["bob@example.com"], found
    assert found["busy_periods_found"] == 1, found
    assert [s["start"][:16] for s in found["slots"]][:2] == ["2027-01-04T09:00", "2027-01-04T11:00"], found


async def test_unknown_action_is_named(mcp_server):
    server = mcp_server(basic())
    text = await fails(server.url, "nc_calendar_manage_calendar", {"action": "rename"}, "rename", "create, update, delete, list")
    assert "calendar_name" not in text
