"""Edits that used to lose or ignore data (issue 11 §4, §5, §8), and object names that need encoding
(issue 10 §6), against a real Radicale."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from tests.e2e.dav_peers import fails, ok
from tests.e2e.test_calendar_radicale import AUTH, RECURRING, new_calendar, raw_get, raw_put


async def test_completing_a_count_series_ends_it(dav_server):
    url = dav_server.url
    cal = await new_calendar(url)
    made = await ok(url, "nc_calendar_create_todo", {"calendar_name": cal, "summary": "Stretch", "dtstart": "2027-09-01",
                                                     "due": "2027-09-01", "recurrence_rule": "FREQ=DAILY;COUNT=3"})
    uid = made["todo"]["uid"]
    first = await ok(url, "nc_calendar_complete_todo", {"calendar_name": cal, "todo_uid": uid})
    assert first["next_occurrence"] == "2027-09-02" and "COUNT=2" in first["todo"]["recurrence_rule"], first
    second = await ok(url, "nc_calendar_complete_todo", {"calendar_name": cal, "todo_uid": uid})
    assert second["next_occurrence"] == "2027-09-03", second
    last = await ok(url, "nc_calendar_complete_todo", {"calendar_name": cal, "todo_uid": uid})
    assert last["todo"]["status"] == "COMPLETED" and "next_occurrence" not in last, last
    assert last["todo"]["due"] == "2027-09-03"


async def test_clearing_completed_reopens_the_task(dav_server):
    url = dav_server.url
    cal = await new_calendar(url)
    made = await ok(url, "nc_calendar_create_todo", {"calendar_name": cal, "summary": "Done already", "status": "COMPLETED"})
    assert made["todo"]["status"] == "COMPLETED" and made["todo"]["completed"]
    uid = made["todo"]["uid"]
    reopened = await ok(url, "nc_calendar_update_todo", {"calendar_name": cal, "todo_uid": uid, "completed": ""})
    todo = reopened["todo"]
    assert todo["status"] == "NEEDS-ACTION" and "completed" not in todo and todo.get("percent_complete", 0) == 0, todo
    await fails(url, "nc_calendar_update_todo", {"calendar_name": cal, "todo_uid": uid, "completed": "", "status": "COMPLETED"},
                "completed")


async def test_not_recurring_leaves_one_occurrence(dav_server, radicale):
    url = dav_server.url
    cal = await new_calendar(url)
    raw_put(radicale, cal, "rec-1.ics", RECURRING)
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-03-01", "end_date": "2027-04-30"})
    moved = next(e for e in page["events"] if e["summary"].endswith("(moved)"))
    # The moved instance is known by its stored RECURRENCE-ID (22 March 10:00), not its new start.
    assert moved["start"] == "2027-03-23T12:00:00+01:00" and moved["recurrence_id"] == "2027-03-22T10:00:00+01:00", moved
    await ok(url, "nc_calendar_update_event", {"calendar_name": cal, "event_uid": "rec-1", "recurring": False})
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-03-01", "end_date": "2027-04-30"})
    assert [e["start"] for e in page["events"]] == ["2027-03-01T10:00:00+01:00"], page
    raw = raw_get(radicale, f"/remote.php/dav/alice/{cal}/rec-1.ics").text
    events = raw[raw.index("BEGIN:VEVENT"):]
    assert events.count("BEGIN:VEVENT") == 1, raw
    for gone in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"):
        assert gone not in events, raw


async def test_timezone_alone_moves_the_event_into_that_zone(dav_server):
    url = dav_server.url
    cal = await new_calendar(url)
    made = await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Call", "start_datetime": "2027-06-10T15:00:00",
                                                      "end_datetime": "2027-06-10T16:00:00", "timezone": "Europe/Berlin"})
    uid = made["event"]["uid"]
    moved = await ok(url, "nc_calendar_update_event", {"calendar_name": cal, "event_uid": uid, "timezone": "America/New_York"})
    event = moved["event"]
    assert event["timezone"] == "America/New_York", event
    assert event["start"] == "2027-06-10T09:00:00-04:00" and event["end"] == "2027-06-10T10:00:00-04:00", event
    day = await ok(url, "nc_calendar_create_event", {"calendar_name": cal, "title": "Holiday", "start_datetime": "2027-06-11", "all_day": True})
    await fails(url, "nc_calendar_update_event", {"calendar_name": cal, "event_uid": day["event"]["uid"], "timezone": "Asia/Tokyo"},
                "timezone", "all-day")


async def test_empty_description_clears_it(dav_server):
    url = dav_server.url
    made = await ok(url, "nc_calendar_manage_calendar", {"action": "create", "calendar_name": "described", "description": "Old text"})
    assert made["calendar"]["description"] == "Old text"
    cleared = await ok(url, "nc_calendar_manage_calendar", {"action": "update", "calendar_name": "described", "description": ""})
    assert "description" not in cleared["calendar"], cleared
    await ok(url, "nc_calendar_manage_calendar", {"action": "delete", "calendar_name": "described"})


async def test_object_names_needing_encoding_on_radicale(dav_server, radicale):
    url = dav_server.url
    cal = await new_calendar(url)
    event = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
             "DTSTART:20270201T100000Z\r\nDTEND:20270201T110000Z\r\nSUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    # Radicale refuses `?` in names (the Nextcloud fake covers it); `#` and `%2e` it stores.
    for name, uid in [("victim.ics", "victim"), ("victim.ics#x", "evil-hash"), ("%2e", "evil-dot"), ("%2e.ics", "evil-pct")]:
        raw_put(radicale, cal, quote(name, safe=""), event.format(uid=uid))
    assert (await ok(url, "nc_calendar_delete_event", {"calendar_name": cal, "event_uid": "evil-hash"}))["deleted"]
    await ok(url, "nc_calendar_update_event", {"calendar_name": cal, "event_uid": "evil-dot", "title": "renamed"})
    assert (await ok(url, "nc_calendar_delete_event", {"calendar_name": cal, "event_uid": "evil-pct"}))["deleted"]
    page = await ok(url, "nc_calendar_list_events", {"calendar_name": cal, "start_date": "2027-02-01", "end_date": "2027-02-02"})
    assert sorted(e["summary"] for e in page["events"]) == ["renamed", "victim"], page
    r = httpx.get(f"{radicale}/remote.php/dav/alice/{cal}/%252e", auth=AUTH)
    assert "SUMMARY:renamed" in r.text, r.text
