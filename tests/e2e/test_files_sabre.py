"""Files tools where Nextcloud's sabre/dav differs from kinder servers (issue 11 §1, §8; issue 10 §6): names
with leading/trailing spaces, 501 for what sabre does not implement, 415 for an unsupported REPORT, 409 for a
missing parent folder, overwrite messages that promise a version only when versioning exists, version ids and
header values that are validated as arguments."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.toolkit import BASIC, fails, merge, ok, read_text, session_as
from tests.e2e.wsgidav_peer import WsgiDavPeer
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

SABRE_501 = ('<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">'
             "<s:exception>Sabre\\DAV\\Exception\\NotImplemented</s:exception>"
             "<s:message>There was no plugin in the system that was willing to handle this SEARCH method.</s:message>"
             "</d:error>")
SABRE_415 = ('<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">'
             "<s:exception>Sabre\\DAV\\Exception\\ReportNotSupported</s:exception>"
             "<s:message>The {http://owncloud.org/ns}filter-files REPORT is not supported on this url.</s:message>"
             "</d:error>")


async def _spaces_round_trip(s) -> None:
    """` report.txt`, `report.txt` and `trailing space ` side by side: each listed path addresses exactly its file."""
    await ok(s, "nc_webdav_create_directory", {"path": "Sp"})
    await ok(s, "nc_webdav_write_file", {"path": "Sp/report.txt", "content": "plain"})
    await ok(s, "nc_webdav_write_file", {"path": "Sp/ report.txt", "content": "leading"})
    await ok(s, "nc_webdav_write_file", {"path": "Sp/trailing space ", "content": "trailing"})
    listing = await ok(s, "nc_webdav_list_directory", {"path": "Sp"})
    paths = sorted(f["path"] for f in listing["files"])
    assert paths == ["Sp/ report.txt", "Sp/report.txt", "Sp/trailing space "], paths
    by_name = {f["name"]: f["path"] for f in listing["files"]}
    assert await read_text(s, by_name[" report.txt"]) == "leading"
    assert await read_text(s, by_name["report.txt"]) == "plain"
    assert await read_text(s, by_name["trailing space "]) == "trailing"
    await ok(s, "nc_webdav_copy_resource", {"source_path": "Sp/ report.txt", "destination_path": "Sp/ copy "})
    assert await read_text(s, "Sp/ copy ") == "leading"
    deleted = await ok(s, "nc_webdav_delete_resource", {"path": by_name[" report.txt"]})
    assert deleted["path"] == "Sp/ report.txt"
    left = sorted(f["name"] for f in (await ok(s, "nc_webdav_list_directory", {"path": "Sp"}))["files"])
    assert left == [" copy ", "report.txt", "trailing space "], left
    assert await read_text(s, "Sp/report.txt") == "plain"
    await fails(s, "nc_webdav_read_file", {"path": "Sp/ report.txt"}, "404")
    await fails(s, "nc_webdav_read_file", {"path": "Sp/   "}, "spaces")


async def test_names_with_spaces_on_the_fake(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await _spaces_round_trip(s)
        # The trash keeps the exact name: the entry is found, and restores to ` report.txt`, not `report.txt`.
        trash = await ok(s, "nc_webdav_list_trash")
        entry = next(e for e in trash["entries"] if e["original_location"] == "Sp/ report.txt")
        assert entry["entry_id"].startswith(" report.txt")
        back = await ok(s, "nc_webdav_restore_from_trash", {"entry_id": entry["entry_id"]})
        assert back["restored_to"] == "Sp/ report.txt"
        assert await read_text(s, "Sp/ report.txt") == "leading"
        assert await read_text(s, "Sp/report.txt") == "plain"
    routes = nextcloud.stats()["routes"]
    assert routes.get("DELETE /remote.php/dav/files/alice/Sp/ report.txt") == 1, routes
    assert not routes.get("DELETE /remote.php/dav/files/alice/Sp/report.txt"), routes


@pytest.fixture(scope="module")
def webdav(tmp_path_factory) -> Iterator[WsgiDavPeer]:
    peer = WsgiDavPeer(tmp_path_factory.mktemp("wsgidav-spaces")).start()
    try:
        yield peer
    finally:
        peer.stop()


async def test_names_with_spaces_on_wsgidav(webdav, mcp_server):
    for child in webdav.root.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    server = mcp_server(merge(BASIC, {"nextcloud": {"url": webdav.url}}))
    async with mcp_session(server.url) as s:
        await _spaces_round_trip(s)
    root: Path = webdav.root
    assert (root / "Sp" / "report.txt").read_text() == "plain"
    assert not (root / "Sp" / " report.txt").exists()
    assert (root / "Sp" / "trailing space ").read_text() == "trailing"


async def test_sabre_errors_say_what_happened(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_create_directory", {"path": "Folder"})
        # GET on a folder: sabre's 501 NotImplemented.
        message = await fails(s, "nc_webdav_read_file", {"path": "Folder"}, "501", "is a folder", "nc_webdav_list_directory")
        assert "internal error" not in message.lower()
        # A write into a missing folder: sabre's 409.
        await fails(s, "nc_webdav_write_file", {"path": "Nope/deeper/x.txt", "content": "x"},
                    "the folder `Nope/deeper` does not exist", "nc_webdav_create_directory")
        await fails(s, "nc_webdav_create_directory", {"path": "Nope/deeper"}, "the folder `Nope` does not exist")
        # No SEARCH support (501) and no favorites REPORT (415), as some servers answer.
        nextcloud.respond("/remote.php/dav", SABRE_501, status=501, method="SEARCH",
                          content_type="application/xml; charset=utf-8")
        message = await fails(s, "nc_webdav_search_files", {"name_pattern": "x"}, "501", "does not support WebDAV SEARCH")
        assert "internal error" not in message.lower()
        nextcloud.clear_responses()
        nextcloud.respond("/remote.php/dav/files/alice", SABRE_415, status=415, method="REPORT",
                          content_type="application/xml; charset=utf-8")
        message = await fails(s, "nc_webdav_list_favorites", {}, "415", "filter REPORT", "favorites")
        assert "check the arguments" not in message.lower()
        nextcloud.clear_responses()
    # sabre answers 501 to a method it has no handler for, never 405.
    r = httpx.request("LOCK", f"{nextcloud.url}/remote.php/dav/files/alice/Folder", auth=("alice", "alice-app-password"))
    assert r.status_code == 501, r.status_code


@pytest.mark.parametrize("versioning", [True, False])
async def test_overwrite_promises_a_version_only_when_there_is_one(versioning, mcp_server, mint_token, nextcloud):
    httpx.post(f"{nextcloud.url}/__fake/files", json={"versioning": versioning}).raise_for_status()
    try:
        async with session_as("oauth", mcp_server, mint_token) as s:
            await ok(s, "nc_webdav_write_file", {"path": "v.txt", "content": "one"})
            replaced = await ok(s, "nc_webdav_write_file", {"path": "v.txt", "content": "two", "if_match": "*"})
            if versioning:
                assert (await ok(s, "nc_webdav_list_versions", {"path": "v.txt"}))["total"] == 1
            else:
                await fails(s, "nc_webdav_list_versions", {"path": "v.txt"}, "404")
            await ok(s, "nc_webdav_write_file", {"path": "w.txt", "content": "w"})
            moved = await ok(s, "nc_webdav_copy_resource", {"source_path": "w.txt", "destination_path": "v.txt",
                                                            "overwrite": True})
            if versioning:
                assert "kept as a version" in replaced["message"]
                assert "kept by Nextcloud as a version" in moved["message"]
            else:
                assert "kept as a version" not in replaced["message"] and "as a version" not in moved["message"]
                assert "keeps no versions" in replaced["message"] and "keeps no versions" in moved["message"]
    finally:
        httpx.post(f"{nextcloud.url}/__fake/files", json={"versioning": True}).raise_for_status()


async def test_version_ids_and_header_values_are_arguments(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_write_file", {"path": "doc.txt", "content": "a"})
        before = nextcloud.stats()["routes"]
        for bad in (".", "..", "1/2", "%2e%2e", "12.3", "1\r\n2", ""):
            await fails(s, "nc_webdav_restore_version", {"path": "doc.txt", "version_id": bad}, "version_id")
        after = nextcloud.stats()["routes"]
        assert not any(k.startswith("MOVE /remote.php/dav/versions") for k in after), after
        del before
        # An etag with CR/LF would go into If-Match: an argument error, never "Nextcloud unreachable".
        message = await fails(s, "nc_webdav_write_file",
                              {"path": "doc.txt", "content": "b", "if_match": "\"x\"\r\nX-Injected: 1"},
                              "line break")
        assert "unreachable" not in message.lower()
        assert await read_text(s, "doc.txt") == "a"
