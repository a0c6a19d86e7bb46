"""Contacts tools end to end: MCP SDK → nextcloud-mcp → a real Radicale (CardDAV)."""

from __future__ import annotations

import httpx

from tests.e2e.dav_peers import USERS, fails, ok

AUTH = ("alice", USERS["alice"])

CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:legacy-1\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:grace@navy.example\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n"
    "TEL;TYPE=CELL:+1 555 0100\r\nX-SOCIALPROFILE;type=twitter;x-user=grace:https://twitter.example/grace\r\n"
    "PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw\r\n"
    " ==\r\nEND:VCARD\r\n"
)


async def test_addressbook_and_contact_lifecycle(dav_server, radicale):
    url = dav_server.url
    book = (await ok(url, "nc_contacts_create_addressbook", {"name": "friends", "display_name": "Friends"}))
    assert book["name"] == "friends" and book["href"] == "/remote.php/dav/alice/friends/"
    await fails(url, "nc_contacts_create_addressbook", {"name": "friends", "display_name": "Again"}, "already exists")
    await fails(url, "nc_contacts_create_addressbook", {"name": "a/b", "display_name": "x"}, "name")
    books = await ok(url, "nc_contacts_list_addressbooks")
    assert "friends" in [b["name"] for b in books["addressbooks"]]
    assert "big" not in [b["name"] for b in books["addressbooks"]], "calendars are not address books"

    created = await ok(url, "nc_contacts_create_contact", {"addressbook": "friends", "uid": "ada-1", "contact_data": {
        "fn": "Ada Lovelace", "email": ["ada@example.com", "ada@work.example"], "tel": "+44 20 7946 0000",
        "org": "Analytical Engines", "title": "Mathematician", "note": "First programmer; loves \"notes\"", "bday": "1815-12-10",
        "categories": "vip,math", "url": "https://ada.example"}})
    c = created["contact"]
    assert c["fn"] == "Ada Lovelace" and c["emails"] == ["ada@example.com", "ada@work.example"] and c["categories"] == ["vip", "math"]
    await fails(url, "nc_contacts_create_contact", {"addressbook": "friends", "uid": "ada-1", "contact_data": {"fn": "Dup"}}, "already exists")
    await fails(url, "nc_contacts_create_contact", {"addressbook": "friends", "uid": "x", "contact_data": {"email": "x@y.z"}}, "fn")
    await fails(url, "nc_contacts_create_contact", {"addressbook": "friends", "uid": "x", "contact_data": {"fn": "X", "shoe_size": 44}}, "unknown key")
    await fails(url, "nc_contacts_create_contact", {"addressbook": "friends", "uid": "x", "contact_data": {"fn": "X", "email": "not-an-address"}}, "e-mail")

    r = httpx.put(f"{radicale}/remote.php/dav/alice/friends/legacy-1.vcf", content=CARD.encode(), auth=AUTH,
                  headers={"Content-Type": "text/vcard", "If-None-Match": "*"})
    assert r.status_code == 201, r.text
    listed = await ok(url, "nc_contacts_list_contacts", {"addressbook": "friends"})
    assert [x["fn"] for x in listed["contacts"]] == ["Ada Lovelace", "Grace Hopper"] and listed["total"] == 2
    paged = await ok(url, "nc_contacts_list_contacts", {"addressbook": "friends", "limit": 1, "offset": 1})
    assert [x["fn"] for x in paged["contacts"]] == ["Grace Hopper"] and not paged["has_more"]
    grace = next(x for x in listed["contacts"] if x["uid"] == "legacy-1")
    assert "PHOTO" in grace["other_properties"]

    found = await ok(url, "nc_contacts_search_contacts", {"query": "navy"})
    assert [x["uid"] for x in found["contacts"]] == ["legacy-1"]
    found = await ok(url, "nc_contacts_search_contacts", {"query": "5550100", "addressbook": "friends"})
    assert [x["uid"] for x in found["contacts"]] == ["legacy-1"]
    await fails(url, "nc_contacts_search_contacts", {"query": "  "}, "query")

    # Radicale normalises what it stores; our update must keep every line of that stored card.
    before = httpx.get(f"{radicale}/remote.php/dav/alice/friends/legacy-1.vcf", auth=AUTH).text
    upd = await ok(url, "nc_contacts_update_contact", {"addressbook": "friends", "uid": "legacy-1", "contact_data": {"title": "Rear Admiral"}, "etag": grace["etag"]})
    assert upd["contact"]["title"] == "Rear Admiral" and upd["contact"]["etag"] != grace["etag"]
    raw = httpx.get(f"{radicale}/remote.php/dav/alice/friends/legacy-1.vcf", auth=AUTH).text
    kept = [line for line in before.split("\r\n") if line and not line.startswith(("REV", "TITLE"))]
    assert any(line.startswith("X-SOCIALPROFILE") for line in kept) and any("X-ABLABEL" in line.upper() for line in kept)
    for line in kept:
        assert line in raw.split("\r\n"), f"{line!r} changed:\n{raw}"
    await fails(url, "nc_contacts_update_contact", {"addressbook": "friends", "uid": "legacy-1", "contact_data": {"note": "x"}, "etag": grace["etag"]}, "412", "changed since")
    await fails(url, "nc_contacts_update_contact", {"addressbook": "friends", "uid": "nobody", "contact_data": {"note": "x"}}, "404")

    await ok(url, "nc_contacts_delete_contact", {"addressbook": "friends", "uid": "ada-1"})
    again = await ok(url, "nc_contacts_delete_contact", {"addressbook": "friends", "uid": "ada-1"})
    assert not again["deleted"] and "not found" in again["message"], "a UID not there is reported, not `deleted: true`"
    await fails(url, "nc_contacts_list_contacts", {"addressbook": "enemies"}, "no address book named")
    await ok(url, "nc_contacts_delete_addressbook", {"name": "friends"})
    books = await ok(url, "nc_contacts_list_addressbooks")
    assert "friends" not in [b["name"] for b in books["addressbooks"]]
    await fails(url, "nc_contacts_delete_addressbook", {"name": "friends"}, "no address book named")
