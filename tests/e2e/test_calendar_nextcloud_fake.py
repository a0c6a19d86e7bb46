"""Nextcloud-specific CalDAV/CardDAV paths and properties against the contract fake:
homes from principal discovery (uid, not login name), x1:calendar-color, owner principal,
scheduling inbox/outbox and the birthday calendar."""

from __future__ import annotations

from tests.e2e.dav_peers import fails, ok
from tests.harness import DELETE


def basic(login: str, password: str) -> dict:
    return {"auth": {"mode": "basic", "basic": {"username": login, "password": password}, "oauth": DELETE}}


async def test_nextcloud_homes_and_properties(mcp_server, nextcloud):
    server = mcp_server(basic("alice@example.com", "alice-app-password"))
    data = await ok(server.url, "nc_calendar_list_calendars")
    by = {c["name"]: c for c in data["calendars"]}
    assert set(by) == {"personal", "contact_birthdays"}, "inbox/outbox are not calendars"
    assert by["personal"]["href"] == "/remote.php/dav/calendars/alice/personal/"
    assert by["personal"]["color"] == "#0082c9" and by["personal"]["display_name"] == "Personal"
    assert by["personal"]["owner"] == "/remote.php/dav/principals/users/alice/"
    assert by["personal"]["components"] == ["VEVENT", "VTODO"] and by["contact_birthdays"]["components"] == ["VEVENT"]
    books = await ok(server.url, "nc_contacts_list_addressbooks")
    assert [(b["name"], b["href"]) for b in books["addressbooks"]] == [("contacts", "/remote.php/dav/addressbooks/users/alice/contacts/")]
    routes = nextcloud.stats()["routes"]
    assert any(r.startswith("PROPFIND /remote.php/dav/calendars/alice") for r in routes), routes
    assert not any("alice@example.com" in r for r in routes), "paths use the uid from discovery, not the login"
    await fails(server.url, "nc_calendar_create_todo", {"calendar_name": "contact_birthdays", "summary": "x"}, "does not hold tasks")
    await fails(server.url, "nc_calendar_list_todos", {"calendar_name": "work"}, "personal, contact_birthdays")
