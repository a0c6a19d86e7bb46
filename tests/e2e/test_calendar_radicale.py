"""Calendar and Tasks tools end to end: MCP SDK → nextcloud-mcp → a real Radicale."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from tests.e2e.dav_peers import USERS, call, dav_server, fails, ok, radicale  # noqa: F401 - fixtures

AUTH = ("alice", USERS["alice"])


async def new_calendar(url: str, name: str | None = None) -> str:
    name = name or f"cal-{uuid.uuid4().hex[:8]}"
    data = await ok(url, "nc_calendar_manage_calendar", {"action": "create", "calendar_name": name, "display_name": name})
    return data["calendar"]["name"]


def raw_put(radicale_url: str, calendar: str, name: str, body: str) -> None:
    r = httpx.put(f"{radicale_url}/remote.php/dav/alice/{calendar}/{name}", content=body.encode(), auth=AUTH,
                  headers={"Content-Type": "text/calendar"})
    assert r.status_code in (201, 204), r.text


def raw_get(radicale_url: str, href: str) -> httpx.Response:
    return httpx.get(f"{radicale_url}{href}", auth=AUTH)


async def test_discovery_and_calendar_lifecycle(dav_server):
    url = dav_server.url
    data = await ok(url, "nc_calendar_list_calendars")
    big = next(c for c in data["calendars"] if c["name"] == "big")
    # Radicale's own layout, reached only through current-user-principal → calendar-home-set.
    assert big["href"] == "/remote.php/dav/alice/big/"
    assert big["display_name"] == "Big"
    created = await ok(url, "nc_calendar_manage_calendar", {"action": "create", "calendar_name": "work", "display_name": "Work", "color": "#FF0000", "description": "Job"})
    assert created["calendar"]["color"].upper().startswith("#FF0000")
    assert set(created["calendar"]["components"]) >= {"VEVENT", "VTODO"}
    updated = await ok(url, "nc_calendar_manage_calendar", {"action": "update", "calendar_name": "work", "display_name": "Work stuff"})
    assert updated["calendar"]["display_name"] == "Work stuff"
    listed = await ok(url, "nc_calendar_manage_calendar", {"action": "list"})
    assert "work" in [c["name"] for c in listed["calendars"]]
    await fails(url, "nc_calendar_manage_calendar", {"action": "create", "calendar_name": "work"}, "already exists")
    await fails(url, "nc_calendar_manage_calendar", {"action": "create", "calendar_name": "../x"}, "calendar_name")
    await fails(url, "nc_calendar_manage_calendar", {"action": "explode", "calendar_name": "work"}, "action")
    await ok(url, "nc_calendar_manage_calendar", {"action": "delete", "calendar_name": "work"})
    listed = await ok(url, "nc_calendar_list_calendars")
    assert "work" not in [c["name"] for c in listed["calendars"]]
    await fails(url, "nc_calendar_manage_calendar", {"action": "delete", "calendar_name": "work"}, "no calendar named")


async def test_event_zone_roundtrip_update_and_conflict(dav_server, radicale):
    url = dav_server.url
    cal = await new_calendar(url)
    await fails(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "x", "start_datetime": "2027-03-10T09:00:00"}, "no time zone", "timezone")
    created = await ok(url, "nc_calendar_create_event", {
        "calendar_name": cal, "title": "Planning, Q2", "start_datetime": "2027-03-10T09:00:00", "end_datetime": "2027-03-10T10:30:00",
        "timezone": "Europe/Berlin", "location": "Room 1", "categories": "Work,Plan", "attendees": "bob@example.com",
        "reminder_minutes": 10})
    ev = created["event"]
    assert ev["start"] == "2027-03-10T09:00:00+01:00" and ev["end"] == "2027-03-10T10:30:00+01:00"
    assert ev["timezone"] == "Europe/Berlin" and ev["reminders_minutes"] == [10]
    raw = raw_get(radicale, created["href"]).text
    assert "DTSTART;TZID=Europe/Berlin:20270310T090000" in raw and "BEGIN:VTIMEZONE" in raw
    uid, etag = ev["uid"], ev["etag"]
    got = await ok(url, "nc_calendar_get_event", {"calendar_name": cal, "event_uid": uid})
    assert got["event"]["summary"] == "Planning, Q2" and got["event"]["categories"] == ["Work", "Plan"]
    # Offset input without a zone keeps the instant (UTC), never a floating time.
    upd = await ok(url, "nc_calendar_update_event", {"calendar_name": cal, "event_uid": uid, "title": "Planning", "etag": etag})
    assert upd["event"]["summary"] == "Planning" and upd["event"]["etag"] != etag
    assert upd["event"]["start"] == "2027-03-10T09:00:00+01:00", "zone kept on update"
    assert upd["event"]["location"] == "Room 1", "merge keeps other fields"
    text = await fails(url, "nc_calendar_update_event", {"calendar_name": cal, "event_uid": uid, "title": "Stale", "etag": etag}, "412", "changed since")
    assert "read it again" in text
    moved = await ok(url, "nc_calendar_update_event", {"calendar_name": cal, "event_uid": uid, "start_datetime": "2027-03-11T15:00:00Z"})
    assert moved["event"]["start"] == "2027-03-11T16:00:00+01:00", "a UTC input is shown in the event's zone"
    assert moved["event"]["end"] == "2027-03-11T17:30:00+01:00", "duration kept"
    await fails(url, "nc_calendar_get_event", {"calendar_name": cal, "event_uid": "nope"}, "404")
    await fails(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "x", "start_datetime": "2027-03-10T09:00:00Z", "status": "MAYBE"}, "status")
    await fails(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "x", "start_datetime": "2027-03-10T09:00:00Z", "priority": 12}, "priority")


async def test_all_day_and_multi_zone_listing(dav_server):
    url = dav_server.url
    cal = await new_calendar(url)
    day = await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Holiday", "start_datetime": "2027-04-01", "end_datetime": "2027-04-03", "all_day": True})
    assert day["event"]["all_day"] and day["event"]["end"] == "2027-04-03"
    await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "NY", "start_datetime": "2027-04-01T09:00:00", "timezone": "America/New_York"})
    await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Tokyo", "start_datetime": "2027-04-01T09:00:00", "timezone": "Asia/Tokyo"})
    await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "UTC", "start_datetime": "2027-04-01T12:00:00Z"})
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-04-01", "end_date": "2027-04-01"})
    by = {e["summary"]: e for e in page["events"]}
    assert by["Tokyo"]["start"] == "2027-04-01T09:00:00+09:00"
    assert by["NY"]["start"] == "2027-04-01T09:00:00-04:00"
    assert by["UTC"]["start"] == "2027-04-01T12:00:00Z", "UTC stays Z, no +00:00 invented"
    assert by["Holiday"]["start"] == "2027-04-01"
    order = [e["summary"] for e in page["events"]]
    assert order.index("Tokyo") < order.index("UTC") < order.index("NY")
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-04-03", "end_date": "2027-04-04"})
    assert "Holiday" not in [e["summary"] for e in page["events"]], "all-day end is exclusive"
    await fails(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-04-01T00:00:00"}, "no time zone")
    await fails(url, "nc_calendar_list_events", {"calendar_name": cal, "limit": 0}, "limit")


RECURRING = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:rec-1\r
DTSTAMP:20270101T000000Z\r
DTSTART;TZID=Europe/Berlin:20270301T100000\r
DTEND;TZID=Europe/Berlin:20270301T110000\r
RRULE:FREQ=WEEKLY;COUNT=6\r
EXDATE;TZID=Europe/Berlin:20270315T100000\r
RDATE;TZID=Europe/Berlin:20270304T140000\r
SUMMARY:Weekly sync\r
X-VENDOR-THING;X-A="q;v":keep me\\, exactly\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:rec-1\r
DTSTAMP:20270101T000000Z\r
RECURRENCE-ID;TZID=Europe/Berlin:20270322T100000\r
DTSTART;TZID=Europe/Berlin:20270323T120000\r
DTEND;TZID=Europe/Berlin:20270323T130000\r
SUMMARY:Weekly sync (moved)\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def test_recurring_with_exceptions_and_unknown_properties(dav_server, radicale):
    url = dav_server.url
    cal = await new_calendar(url)
    raw_put(radicale, cal, "rec-1.ics", RECURRING)
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-03-01", "end_date": "2027-04-30"})
    starts = [(e["start"], e["summary"]) for e in page["events"]]
    assert starts == [
        ("2027-03-01T10:00:00+01:00", "Weekly sync"),
        ("2027-03-04T14:00:00+01:00", "Weekly sync"),        # RDATE
        ("2027-03-08T10:00:00+01:00", "Weekly sync"),
        # 15 March: EXDATE
        ("2027-03-23T12:00:00+01:00", "Weekly sync (moved)"),  # override of 22 March
        ("2027-03-29T10:00:00+02:00", "Weekly sync"),        # after the DST change, still 10:00 local
        ("2027-04-05T10:00:00+02:00", "Weekly sync"),
    ], starts
    moved = next(e for e in page["events"] if e["summary"].endswith("(moved)"))
    assert moved["recurrence_id"]
    # Narrow range: only the instances inside it.
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-03-20", "end_date": "2027-03-25"})
    assert [e["summary"] for e in page["events"]] == ["Weekly sync (moved)"]
    got = await ok(url, "nc_calendar_get_event", {"calendar_name": cal, "event_uid": "rec-1"})
    assert got["event"]["recurrence_rule"].startswith("FREQ=WEEKLY") and got["event"]["overridden_instances"] == 1
    await ok(url, "nc_calendar_update_event", {"calendar_name": cal, "event_uid": "rec-1", "location": "Room 7"})
    raw = raw_get(radicale, got["href"]).text
    assert 'X-VENDOR-THING;X-A="q;v":keep me\\, exactly\r\n' in raw
    assert "EXDATE;TZID=Europe/Berlin:20270315T100000\r\n" in raw and "RECURRENCE-ID;TZID=Europe/Berlin:20270322T100000\r\n" in raw
    assert "LOCATION:Room 7\r\n" in raw and raw.count("BEGIN:VTIMEZONE") == 1
    await fails(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "bad", "start_datetime": "2027-03-01T10:00:00Z", "recurring": True, "recurrence_rule": "FREQ=SOMETIMES"}, "recurrence_rule")
    weekly = await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Gym", "start_datetime": "2027-05-03T07:00:00", "timezone": "Europe/Berlin", "recurring": True, "recurrence_rule": "FREQ=DAILY", "recurrence_end_date": "2027-05-05"})
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-05-01", "end_date": "2027-05-31", "title_contains": "gym"})
    assert [e["start"] for e in page["events"]] == ["2027-05-03T07:00:00+02:00", "2027-05-04T07:00:00+02:00", "2027-05-05T07:00:00+02:00"]
    assert weekly["event"]["recurrence_rule"].startswith("FREQ=DAILY")


async def test_large_calendar_is_paged(dav_server):
    url = dav_server.url
    seen: set[str] = set()
    offset, pages = 0, 0
    while True:
        page = await ok(url, "nc_calendar_list_events", {"calendar_name": "big", "start_date": "2027-01-01", "end_date": "2027-01-31", "limit": 500, "offset": offset})
        assert page["total"] == 2000 and len(page["events"]) <= 500
        seen.update(e["uid"] for e in page["events"])
        pages += 1
        if not page["has_more"]:
            break
        offset = page["next_offset"]
    assert len(seen) == 2000 and pages == 4
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": "big", "start_date": "2027-01-05", "end_date": "2027-01-05", "limit": 10})
    assert page["total"] < 100 and len(page["events"]) == 10 and page["next_offset"] == 10
    await fails(url, "nc_calendar_list_events", {"calendar_name": "big", "limit": 5000}, "limit")
    # Bulk refuses more matches than toolsets.calendar.bulk_max (5 here) without confirm.
    refused = await ok(url, "nc_calendar_bulk_operations", {"operation": "delete", "filters": {"calendar_name": "big", "title_contains": "Bulk event"}})
    assert refused["executed"] is False and refused["matched"] == 2000 and refused["succeeded"] == 0
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": "big", "start_date": "2027-01-01", "end_date": "2027-01-31", "limit": 1})
    assert page["total"] == 2000, "nothing deleted"


async def test_delete_upcoming_and_meeting(dav_server):
    url = dav_server.url
    cal = await new_calendar(url)
    tomorrow = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).replace(microsecond=0)
    created = await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Soon", "start_datetime": tomorrow.isoformat()})
    up = await ok(url, "nc_calendar_get_upcoming_events", {"calendar_name": cal, "days_ahead": 3})
    assert [e["summary"] for e in up["events"]] == ["Soon"]
    await fails(url, "nc_calendar_get_upcoming_events", {"days_ahead": 0}, "days_ahead")
    meeting = await ok(url, "nc_calendar_create_meeting", {"title": "Kickoff", "date": "2027-06-01", "time": "14:00", "timezone": "Europe/Paris", "calendar_name": cal, "attendees": "bob@example.com, carol@example.com", "duration_minutes": 45})
    assert meeting["event"]["start"] == "2027-06-01T14:00:00+02:00" and meeting["event"]["end"] == "2027-06-01T14:45:00+02:00"
    assert meeting["event"]["attendees"] == ["bob@example.com", "carol@example.com"]
    await fails(url, "nc_calendar_create_meeting", {"title": "K", "date": "2027-06-01", "time": "14:00", "calendar_name": cal}, "no time zone")
    uid = created["event"]["uid"]
    await fails(url, "nc_calendar_delete_event", {"calendar_name": cal, "event_uid": uid, "etag": "stale"}, "412")
    gone = await ok(url, "nc_calendar_delete_event", {"calendar_name": cal, "event_uid": uid})
    assert gone["deleted"] is True
    again = await ok(url, "nc_calendar_delete_event", {"calendar_name": cal, "event_uid": uid})
    assert again["deleted"] is True and again["status"] == 404
    await fails(url, "nc_calendar_delete_event", {"calendar_name": "no-such-cal", "event_uid": uid}, "no calendar named")


async def test_find_availability(dav_server):
    url = dav_server.url
    cal = await new_calendar(url)
    # Monday 2027-02-01: busy 10:00-11:00 Berlin; a transparent event does not block.
    await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Busy", "start_datetime": "2027-02-01T10:00:00", "end_datetime": "2027-02-01T11:00:00", "timezone": "Europe/Berlin"})
    await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Cancelled", "start_datetime": "2027-02-01T13:00:00", "end_datetime": "2027-02-01T14:00:00", "timezone": "Europe/Berlin", "status": "CANCELLED"})
    res = await ok(url, "nc_calendar_find_availability", {"duration_minutes": 60, "date_range_start": "2027-01-30", "date_range_end": "2027-02-01", "timezone": "Europe/Berlin", "attendees": "bob@example.com"})
    assert [(s["start"], s["end"]) for s in res["slots"]] == [
        ("2027-02-01T09:00:00+01:00", "2027-02-01T10:00:00+01:00"),
        ("2027-02-01T11:00:00+01:00", "2027-02-01T17:00:00+01:00"),
    ], res["slots"]
    assert res["busy_periods_found"] >= 1 and res["attendees_checked"] == []
    assert "scheduling outbox" in res["attendees_not_checked"][0]
    res = await ok(url, "nc_calendar_find_availability", {"duration_minutes": 30, "date_range_start": "2027-02-01", "date_range_end": "2027-02-01", "timezone": "Europe/Berlin", "preferred_times": "afternoon"})
    assert res["slots"][0]["start"] == "2027-02-01T12:00:00+01:00"
    res = await ok(url, "nc_calendar_find_availability", {"duration_minutes": 120, "date_range_start": "2027-02-06", "date_range_end": "2027-02-07", "timezone": "UTC", "exclude_weekends": False, "business_hours_only": False})
    assert res["slots"][0]["start"] == "2027-02-06T00:00:00+00:00"
    await fails(url, "nc_calendar_find_availability", {"duration_minutes": 0}, "duration_minutes")
    await fails(url, "nc_calendar_find_availability", {"duration_minutes": 30, "preferred_times": "teatime"}, "preferred_times")


async def test_bulk_operations(dav_server):
    url = dav_server.url
    cal = await new_calendar(url)
    target = await new_calendar(url)
    for n in range(3):
        await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": f"Standup {n}", "start_datetime": f"2027-07-0{n + 1}T09:00:00Z", "categories": "team"})
    await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Other", "start_datetime": "2027-07-01T12:00:00Z"})
    await fails(url, "nc_calendar_bulk_operations", {"operation": "delete", "filters": {}}, "filters")
    await fails(url, "nc_calendar_bulk_operations", {"operation": "update", "filters": {"calendar_name": cal}}, "new_")
    await fails(url, "nc_calendar_bulk_operations", {"operation": "move", "filters": {"calendar_name": cal}}, "target_calendar")
    await fails(url, "nc_calendar_bulk_operations", {"operation": "frobnicate", "filters": {"calendar_name": cal}}, "operation")
    res = await ok(url, "nc_calendar_bulk_operations", {"operation": "update", "filters": {"calendar_name": cal, "title_contains": "standup"}, "new_status": "TENTATIVE", "new_location": "Zoom"})
    assert res["executed"] and res["matched"] == 3 and res["succeeded"] == 3 and all(i["ok"] for i in res["items"])
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-07-01", "end_date": "2027-07-05", "status": "TENTATIVE"})
    assert sorted(e["summary"] for e in page["events"]) == ["Standup 0", "Standup 1", "Standup 2"]
    assert all(e["location"] == "Zoom" for e in page["events"])
    res = await ok(url, "nc_calendar_bulk_operations", {"operation": "move", "filters": {"calendar_name": cal, "categories": "team"}, "target_calendar": target})
    assert res["succeeded"] == 3
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": target, "start_date": "2027-07-01", "end_date": "2027-07-05"})
    assert len(page["events"]) == 3
    res = await ok(url, "nc_calendar_bulk_operations", {"operation": "delete", "filters": {"calendar_name": target, "title_contains": "Standup", "start_date": "2027-07-02", "end_date": "2027-07-03"}})
    assert res["matched"] == 2 and res["succeeded"] == 2


async def test_todos(dav_server):
    url = dav_server.url
    cal = await new_calendar(url)
    t1 = await ok(url, "nc_calendar_create_todo", {"calendar_name": cal, "summary": "Write report", "priority": 1, "due": "2027-08-01T17:00:00", "timezone": "Europe/Berlin", "categories": "work"})
    assert t1["todo"]["due"] == "2027-08-01T17:00:00+02:00" and t1["todo"]["status"] == "NEEDS-ACTION"
    await ok(url, "nc_calendar_create_todo", {"calendar_name": cal, "summary": "Buy milk", "priority": 7})
    await fails(url, "nc_calendar_create_todo", {"calendar_name": cal, "summary": "x", "priority": 12}, "priority")
    await fails(url, "nc_calendar_create_todo", {"calendar_name": cal, "summary": "x", "status": "DONE"}, "status")
    listed = await ok(url, "nc_calendar_list_todos", {"calendar_name": cal})
    assert [t["summary"] for t in listed["todos"]] == ["Write report", "Buy milk"]
    important = await ok(url, "nc_calendar_list_todos", {"calendar_name": cal, "min_priority": 3})
    assert [t["summary"] for t in important["todos"]] == ["Write report"]
    uid = t1["todo"]["uid"]
    upd = await ok(url, "nc_calendar_update_todo", {"calendar_name": cal, "todo_uid": uid, "percent_complete": 40, "status": "IN-PROCESS", "etag": t1["todo"]["etag"]})
    assert upd["todo"]["percent_complete"] == 40 and upd["todo"]["status"] == "IN-PROCESS"
    assert upd["todo"]["due"] == "2027-08-01T17:00:00+02:00"
    await fails(url, "nc_calendar_update_todo", {"calendar_name": cal, "todo_uid": uid, "summary": "x", "etag": t1["todo"]["etag"]}, "412")
    await fails(url, "nc_calendar_update_todo", {"calendar_name": cal, "todo_uid": uid, "percent_complete": 140}, "percent_complete")
    done = await ok(url, "nc_calendar_complete_todo", {"calendar_name": cal, "todo_uid": uid})
    assert done["todo"]["status"] == "COMPLETED" and done["todo"]["percent_complete"] == 100 and done["todo"]["completed"]
    found = await ok(url, "nc_calendar_search_todos", {"status": "COMPLETED", "summary_contains": "report"})
    assert uid in [t["uid"] for t in found["todos"]]
    await fails(url, "nc_calendar_search_todos", {"status": "WHATEVER"}, "status")
    rec = await ok(url, "nc_calendar_create_todo", {"calendar_name": cal, "summary": "Water plants", "due": "2027-08-02", "dtstart": "2027-08-02", "recurrence_rule": "FREQ=WEEKLY"})
    nxt = await ok(url, "nc_calendar_complete_todo", {"calendar_name": cal, "todo_uid": rec["todo"]["uid"]})
    assert nxt["todo"]["due"] == "2027-08-09" and nxt["todo"]["status"] == "NEEDS-ACTION" and nxt["next_occurrence"] == "2027-08-09"
    await fails(url, "nc_calendar_complete_todo", {"calendar_name": cal, "todo_uid": "missing"}, "404")
    gone = await ok(url, "nc_calendar_delete_todo", {"calendar_name": cal, "todo_uid": uid})
    assert gone["deleted"]
    listed = await ok(url, "nc_calendar_list_todos", {"calendar_name": cal})
    assert uid not in [t["uid"] for t in listed["todos"]]
    await fails(url, "nc_calendar_delete_todo", {"calendar_name": "nope", "todo_uid": uid}, "no calendar named")
