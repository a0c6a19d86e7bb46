"""Contacts tools against the Nextcloud fake's sabre/dav model: CardDAV answers vCard 3.0 unless 4.0
is asked for, so an edit must start from the card as stored (3.0 or 4.0) and keep every other line."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from tests.e2e.dav_peers import ok
from tests.e2e.test_calendar_sabre_fake import ALICE, basic

BOOK = "addressbooks/users/alice/contacts"

CARD_40 = ("BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Apple Inc.//iOS 17.4//EN\r\nUID:ada-4\r\nKIND:individual\r\n"
           "FN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEMAIL;PREF=1:ada@example.com\r\nitem1.EMAIL:old@example.com\r\n"
           "item1.X-ABLabel:Old job\r\nX-CUSTOM;X-P=\"a:b\":keep me\r\nEND:VCARD\r\n")
CARD_30 = ("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Nextcloud Contacts v6.0.0\r\nUID:grace-3\r\nFN:Grace Hopper\r\n"
           "N:Hopper;Grace;;;\r\nitem1.EMAIL;type=INTERNET;type=pref:grace@navy.example\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n"
           "TEL;TYPE=CELL:+1 555 0100\r\nEND:VCARD\r\n")
# A card sabre itself wrote (system address book): its stored PRODID is sabre's, so the size decides.
CARD_40_SABRE = ("BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Sabre//Sabre VObject 4.5.6//EN\r\nUID:sys-4\r\nKIND:individual\r\n"
                 "FN:System User\r\nEMAIL;PREF=1:sys@example.com\r\nEND:VCARD\r\n")


def put(base: str, name: str, body: str) -> None:
    r = httpx.put(f"{base}/remote.php/dav/{BOOK}/{quote(name, safe='')}", content=body, auth=ALICE,
                  headers={"If-None-Match": "*"})
    assert r.status_code == 201, r.text


def stored(base: str, name: str, version: str) -> str:
    """The card as stored: asking for its own version returns sabre's stored bytes."""
    r = httpx.get(f"{base}/remote.php/dav/{BOOK}/{quote(name, safe='')}", auth=ALICE,
                  headers={"Accept": f"text/vcard; version={version}"})
    assert r.status_code == 200, r.text
    return r.text


def stored_length(base: str, name: str) -> int:
    body = '<d:propfind xmlns:d="DAV:"><d:prop><d:getcontentlength/></d:prop></d:propfind>'
    r = httpx.request("PROPFIND", f"{base}/remote.php/dav/{BOOK}/{quote(name, safe='')}", auth=ALICE, content=body,
                      headers={"Depth": "0"})
    assert r.status_code == 207, r.text
    return int(r.text.split("<d:getcontentlength>")[1].split("<")[0])


def assert_stored_as(base: str, name: str, version: str) -> str:
    """Asking for the stored version returns the stored bytes: same size as stored (a conversion differs)."""
    text = stored(base, name, version)
    assert len(text.encode()) == stored_length(base, name), f"not stored as {version}:\n{text}"
    return text


async def test_update_keeps_a_vcard_40_card_as_stored(mcp_server, nextcloud):
    server = mcp_server(basic())
    put(nextcloud.url, "ada-4.vcf", CARD_40)
    await ok(server.url, "nc_contacts_update_contact", {"addressbook": "contacts", "uid": "ada-4", "contact_data": {"note": "hi"}})
    text = assert_stored_as(nextcloud.url, "ada-4.vcf", "4.0")
    for line in ["VERSION:4.0", "PRODID:-//Apple Inc.//iOS 17.4//EN", "KIND:individual", "EMAIL;PREF=1:ada@example.com",
                 "item1.EMAIL:old@example.com", "item1.X-ABLabel:Old job", 'X-CUSTOM;X-P="a:b":keep me', "NOTE:hi"]:
        assert f"{line}\r\n" in text, (line, text)
    assert "X-ADDRESSBOOKSERVER-KIND" not in text and "TYPE=PREF" not in text

    await ok(server.url, "nc_contacts_update_contact", {"addressbook": "contacts", "uid": "ada-4",
                                                        "contact_data": {"email": ["ada@new.example"]}})
    text = stored(nextcloud.url, "ada-4.vcf", "4.0")
    assert "item1." not in text, "the label of a removed grouped e-mail goes with it: " + text
    assert "ada@new.example" in text and "KIND:individual\r\n" in text and "VERSION:4.0\r\n" in text


async def test_update_keeps_a_vcard_30_card_as_stored(mcp_server, nextcloud):
    server = mcp_server(basic())
    put(nextcloud.url, "grace-3.vcf", CARD_30)
    await ok(server.url, "nc_contacts_update_contact", {"addressbook": "contacts", "uid": "grace-3", "contact_data": {"title": "Rear Admiral"}})
    text = assert_stored_as(nextcloud.url, "grace-3.vcf", "3.0")
    for line in ["VERSION:3.0", "PRODID:-//Nextcloud Contacts v6.0.0", "item1.EMAIL;type=INTERNET;type=pref:grace@navy.example",
                 "item1.X-ABLabel:_$!<Work>!$_", "TEL;TYPE=CELL:+1 555 0100", "TITLE:Rear Admiral"]:
        assert f"{line}\r\n" in text, (line, text)


async def test_update_of_a_card_sabre_wrote_keeps_its_version(mcp_server, nextcloud):
    server = mcp_server(basic())
    put(nextcloud.url, "sys-4.vcf", CARD_40_SABRE)
    await ok(server.url, "nc_contacts_update_contact", {"addressbook": "contacts", "uid": "sys-4", "contact_data": {"note": "x"}})
    text = assert_stored_as(nextcloud.url, "sys-4.vcf", "4.0")
    assert "VERSION:4.0\r\n" in text and "KIND:individual\r\n" in text and "EMAIL;PREF=1:sys@example.com\r\n" in text, text


async def test_delete_of_an_unknown_uid_says_not_found(mcp_server, nextcloud):
    server = mcp_server(basic())
    out = await ok(server.url, "nc_contacts_delete_contact", {"addressbook": "contacts", "uid": "never-there"})
    assert out["deleted"] is False and "not found" in out["message"], out


async def test_card_names_needing_encoding_address_only_themselves(mcp_server, nextcloud):
    server = mcp_server(basic())
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{uid}\r\nEND:VCARD\r\n"
    put(nextcloud.url, "victim.vcf", card.format(uid="victim"))
    put(nextcloud.url, "victim.vcf#x", card.format(uid="evil-hash"))
    put(nextcloud.url, "a?b.vcf", card.format(uid="evil-query"))
    out = await ok(server.url, "nc_contacts_delete_contact", {"addressbook": "contacts", "uid": "evil-hash"})
    assert out["deleted"] is True, out
    await ok(server.url, "nc_contacts_update_contact", {"addressbook": "contacts", "uid": "evil-query", "contact_data": {"note": "n"}})
    listed = await ok(server.url, "nc_contacts_list_contacts", {"addressbook": "contacts"})
    assert sorted(c["uid"] for c in listed["contacts"]) == ["evil-query", "victim"], listed
    assert "NOTE:n\r\n" in stored(nextcloud.url, "a?b.vcf", "3.0")
