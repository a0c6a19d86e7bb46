"""Files tools against a real WebDAV server (WsgiDAV, see wsgidav_peer.py) in basic mode: list, read, write
(create, conditional update, refused overwrite), mkdir, move, copy, delete, preconditions, non-ASCII names and
path traversal attempts. Nextcloud-only parts (file ids, SEARCH, tags...) are tested against the fake."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.toolkit import BASIC, fails, merge, ok, read_file, read_text
from tests.e2e.wsgidav_peer import WsgiDavPeer
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def webdav(tmp_path_factory) -> Iterator[WsgiDavPeer]:
    peer = WsgiDavPeer(tmp_path_factory.mktemp("wsgidav")).start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def clean_root(webdav) -> Path:
    for child in webdav.root.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    return webdav.root


async def test_files_against_wsgidav(webdav, clean_root, mcp_server):
    server = mcp_server(merge(BASIC, {"nextcloud": {"url": webdav.url}}))
    root = clean_root
    async with mcp_session(server.url) as s:
        # mkdir (created / already there / missing parent)
        assert (await ok(s, "nc_webdav_create_directory", {"path": "Projekte"}))["created"] is True
        assert (await ok(s, "nc_webdav_create_directory", {"path": "Projekte"}))["created"] is False
        await fails(s, "nc_webdav_create_directory", {"path": "a/b/c"}, "409")
        assert (root / "Projekte").is_dir()

        # write: create only, refused overwrite, conditional update, deliberate overwrite
        name = "Projekte/Ümlaut & Co #1 – 日本.md"
        created = await ok(s, "nc_webdav_write_file", {"path": name, "content": "eins"})
        assert created["created"] is True
        assert (root / "Projekte" / "Ümlaut & Co #1 – 日本.md").read_text() == "eins"
        await fails(s, "nc_webdav_write_file", {"path": name, "content": "zwei"}, "already exists", "412")
        assert (root / "Projekte" / "Ümlaut & Co #1 – 日本.md").read_text() == "eins"
        listing = await ok(s, "nc_webdav_list_directory", {"path": "Projekte"})
        entry = next(f for f in listing["files"] if f["name"] == "Ümlaut & Co #1 – 日本.md")
        assert entry["path"] == name and entry["size"] == 4 and entry["etag"] and entry["type"] == "file"
        await fails(s, "nc_webdav_write_file", {"path": name, "content": "zwei", "if_match": "not-the-etag"},
                    "changed since", "412")
        updated = await ok(s, "nc_webdav_write_file", {"path": name, "content": "zwei", "if_match": entry["etag"]})
        assert updated["created"] is False
        await ok(s, "nc_webdav_write_file", {"path": name, "content": "drei", "if_match": "*"})
        assert await read_text(s, name) == "drei"
        await fails(s, "nc_webdav_write_file", {"path": "Nowhere/x.txt", "content": "x"}, "409")

        # binary round trip
        (root / "blob.bin").write_bytes(bytes(range(256)))
        blob, _ = await read_file(s, "blob.bin")
        assert blob["content_format"] == "base64" and blob["size"] == 256

        # copy / move with Overwrite and the destination precondition
        await ok(s, "nc_webdav_copy_resource", {"source_path": name, "destination_path": "copy.md"})
        assert (root / "copy.md").read_text() == "drei"
        await fails(s, "nc_webdav_copy_resource", {"source_path": name, "destination_path": "copy.md"}, "already exists")
        await ok(s, "nc_webdav_write_file", {"path": name, "content": "vier", "if_match": "*"})
        await fails(s, "nc_webdav_copy_resource", {"source_path": name, "destination_path": "copy.md",
                                                   "overwrite": True, "if_destination_match": "stale"}, "412")
        assert (root / "copy.md").read_text() == "drei"
        dest_etag = next(f["etag"] for f in (await ok(s, "nc_webdav_list_directory", {}))["files"] if f["name"] == "copy.md")
        replaced = await ok(s, "nc_webdav_copy_resource", {"source_path": name, "destination_path": "copy.md",
                                                           "overwrite": True, "if_destination_match": dest_etag})
        assert replaced["overwritten"] is True and (root / "copy.md").read_text() == "vier"
        moved = await ok(s, "nc_webdav_move_resource", {"source_path": "copy.md", "destination_path": "Projekte/moved.md"})
        assert moved["success"] and not (root / "copy.md").exists() and (root / "Projekte" / "moved.md").exists()
        await fails(s, "nc_webdav_move_resource", {"source_path": "copy.md", "destination_path": "x.md"}, "does not exist")
        await fails(s, "nc_webdav_move_resource", {"source_path": "Projekte", "destination_path": "Projekte/inner"},
                    "inside")

        # path traversal and URLs never leave the user's folder
        (root.parent / "outside.txt").write_text("secret")
        for bad in ("../outside.txt", "Projekte/../../outside.txt", "%2e%2e/outside.txt", "..\\outside.txt",
                    "http://evil.example/x"):
            await fails(s, "nc_webdav_read_file", {"path": bad}, "path")
        await fails(s, "nc_webdav_write_file", {"path": "../x.txt", "content": "x"}, "..")
        await fails(s, "nc_webdav_copy_resource", {"source_path": name, "destination_path": "../x"}, "destination_path")

        # delete (no trash bin on a plain WebDAV server: the hint says so)
        deleted = await ok(s, "nc_webdav_delete_resource", {"path": "Projekte"})
        assert deleted["type"] == "directory" and deleted["trash_entry_id"] is None
        assert "nc_webdav_list_trash" in deleted["message"]
        assert not (root / "Projekte").exists()
        await fails(s, "nc_webdav_delete_resource", {"path": "Projekte"}, "404")
        await fails(s, "nc_webdav_list_directory", {"path": "blob.bin"}, "is a file")
        root_listing = await ok(s, "nc_webdav_list_directory", {})
        assert [f["name"] for f in root_listing["files"]] == ["blob.bin"]
