"""Files toolset (issue 3) against the Nextcloud contract fake: every tool's success path and a failure path,
as an OAuth user and in basic mode; oc:/nc: properties, SEARCH paging, comments, favorites REPORT, system tags,
trash bin, versions, undo hints, excluded tags and read-only mode."""

from __future__ import annotations

import base64

import httpx
import pytest
from mcp.shared.exceptions import McpError

from tests.e2e.toolkit import fails, ok, read_file, read_text, session_as

pytestmark = pytest.mark.e2e

FILES_TOOLS = {
    "nc_webdav_list_directory", "nc_webdav_read_file", "nc_webdav_write_file", "nc_webdav_create_directory",
    "nc_webdav_delete_resource", "nc_webdav_move_resource", "nc_webdav_copy_resource", "nc_webdav_search_files",
    "nc_webdav_find_by_name", "nc_webdav_find_by_type", "nc_webdav_list_favorites", "nc_webdav_list_comments",
    "nc_webdav_create_comment", "nc_webdav_list_trash", "nc_webdav_restore_from_trash", "nc_webdav_list_versions",
    "nc_webdav_restore_version", "nc_webdav_list_tags", "nc_webdav_get_file_tags", "nc_webdav_find_by_tag_name",
    "nc_webdav_tag_file", "nc_webdav_untag_file",
}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256))).decode()


def favorite(nextcloud, path: str) -> None:
    body = ('<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
            "<d:set><d:prop><oc:favorite>1</oc:favorite></d:prop></d:set></d:propertyupdate>")
    r = httpx.request("PROPPATCH", f"{nextcloud.url}/remote.php/dav/files/alice/{path}", content=body,
                      auth=("alice", "alice-app-password"))
    assert r.status_code == 207, r.text


@pytest.mark.parametrize("mode", ["oauth", "basic"])
async def test_files_tools(mode, mcp_server, mint_token, nextcloud):
    async with session_as(mode, mcp_server, mint_token) as s:
        tools = {t.name: t for t in (await s.list_tools()).tools}
        assert FILES_TOOLS <= set(tools)
        for name in FILES_TOOLS:
            a = tools[name].annotations
            assert None not in (a.readOnlyHint, a.destructiveHint, a.idempotentHint, a.openWorldHint), name
            assert tools[name].outputSchema, name

        # create / write / read
        assert (await ok(s, "nc_webdav_create_directory", {"path": "Docs"}))["created"] is True
        assert (await ok(s, "nc_webdav_create_directory", {"path": "Docs"}))["created"] is False
        await fails(s, "nc_webdav_create_directory", {"path": "Nope/Deeper"}, "409")
        w = await ok(s, "nc_webdav_write_file", {"path": "Docs/über uns.md", "content": "# Hallo"})
        assert w["created"] is True and w["etag"] and "nc_webdav_delete_resource" in w["message"]
        await fails(s, "nc_webdav_write_file", {"path": "Docs/über uns.md", "content": "x"}, "already exists", "if_match")
        await fails(s, "nc_webdav_write_file", {"path": "Docs/über uns.md", "content": "x", "if_match": "stale"},
                    "changed since")
        w2 = await ok(s, "nc_webdav_write_file", {"path": "Docs/über uns.md", "content": "# Hallo Welt",
                                                  "if_match": w["etag"]})
        assert w2["created"] is False and "nc_webdav_list_versions" in w2["message"]
        await ok(s, "nc_webdav_write_file", {"path": "Docs/über uns.md", "content": "# Hallo Welt!", "if_match": "*"})
        await ok(s, "nc_webdav_write_file", {"path": "Docs/pic.png", "content": PNG, "content_type": "image/png;base64"})
        await ok(s, "nc_webdav_write_file", {"path": "Docs/a.pdf", "content": base64.b64encode(b"%PDF-1\x00\x01").decode(),
                                             "content_type": "application/pdf;base64"})

        listing = await ok(s, "nc_webdav_list_directory", {"path": "Docs"})
        names = {f["name"]: f for f in listing["files"]}
        assert set(names) == {"über uns.md", "pic.png", "a.pdf"}
        md = names["über uns.md"]
        assert md["type"] == "file" and md["file_id"] and md["etag"] and md["content_type"] == "text/markdown"
        assert md["size"] == len("# Hallo Welt!".encode()) and md["last_modified"]
        assert listing["files_count"] == 3 and listing["directories_count"] == 0
        await fails(s, "nc_webdav_list_directory", {"path": "../etc"}, "..")
        await fails(s, "nc_webdav_list_directory", {"path": "Missing"}, "404")
        await fails(s, "nc_webdav_list_directory", {"path": "Docs/a.pdf"}, "is a file")

        text, block = await read_file(s, "Docs/über uns.md")
        assert block.text == "# Hallo Welt!" and text["content_format"] == "text" and text["complete"]
        image = await s.call_tool("nc_webdav_read_file", {"path": "Docs/pic.png"})
        assert not image.isError and image.structuredContent["content_format"] == "image"
        assert image.content[0].type == "image" and image.content[0].data == PNG
        raw, block = await read_file(s, "Docs/pic.png", parse_document="raw")
        assert block.text == PNG and raw["content_format"] == "base64"
        pdf, _ = await read_file(s, "Docs/a.pdf")
        assert pdf["content_format"] == "base64"
        await fails(s, "nc_webdav_read_file", {"path": "Docs/none.txt"}, "404")

        # copy / move with the tagged If: header on the destination
        await ok(s, "nc_webdav_copy_resource", {"source_path": "Docs/über uns.md", "destination_path": "Docs/copy.md"})
        await fails(s, "nc_webdav_copy_resource", {"source_path": "Docs/über uns.md", "destination_path": "Docs/copy.md"},
                    "already exists", "overwrite")
        dest, _ = await read_file(s, "Docs/copy.md")
        await fails(s, "nc_webdav_copy_resource", {"source_path": "Docs/a.pdf", "destination_path": "Docs/copy.md",
                                                   "overwrite": True, "if_destination_match": "wrong"}, "changed")
        await fails(s, "nc_webdav_copy_resource", {"source_path": "Docs/a.pdf", "destination_path": "Docs/copy.md",
                                                   "if_destination_match": "*"}, "if_destination_match")
        replaced = await ok(s, "nc_webdav_copy_resource", {"source_path": "Docs/a.pdf", "destination_path": "Docs/copy.md",
                                                           "overwrite": True, "if_destination_match": dest["etag"]})
        assert replaced["overwritten"] is True
        seen = nextcloud.stats()["headers_seen"]
        moved = await ok(s, "nc_webdav_move_resource", {"source_path": "Docs/copy.md", "destination_path": "moved.md"})
        assert "move `moved.md` back" in moved["message"]
        await fails(s, "nc_webdav_move_resource", {"source_path": "Docs/copy.md", "destination_path": "x.md"}, "does not exist")
        del seen

        # search (SEARCH basicsearch), find by name/type, favorites REPORT
        for i in range(12):
            await ok(s, "nc_webdav_write_file", {"path": f"Docs/report-{i}.txt", "content": f"r{i}"})
        found = await ok(s, "nc_webdav_search_files", {"name_pattern": "report", "limit": 5})
        assert found["total_found"] == 5 and found["truncated"] is True
        everything = await ok(s, "nc_webdav_find_by_name", {"pattern": "report-%", "scope": "Docs"})
        assert everything["total_found"] == 12 and not everything["truncated"]
        images = await ok(s, "nc_webdav_find_by_type", {"mime_type": "image"})
        assert [f["path"] for f in images["results"]] == ["Docs/pic.png"]
        await fails(s, "nc_webdav_search_files", {"limit": 0}, "limit")
        await fails(s, "nc_webdav_find_by_name", {"pattern": " "}, "pattern")
        await fails(s, "nc_webdav_find_by_type", {"mime_type": "image", "scope": "../x"}, "scope")
        favorite(nextcloud, "Docs/pic.png")
        favs = await ok(s, "nc_webdav_list_favorites", {})
        assert [f["path"] for f in favs["results"]] == ["Docs/pic.png"] and favs["results"][0]["favorite"]
        only_favs = await ok(s, "nc_webdav_search_files", {"only_favorites": True})
        assert [f["path"] for f in only_favs["results"]] == ["Docs/pic.png"]
        await fails(s, "nc_webdav_list_favorites", {"scope": "Missing"}, "404")

        # comments: newest first, 1000-character limit checked before the call
        await ok(s, "nc_webdav_create_comment", {"path": "Docs/pic.png", "message": "first"})
        c2 = await ok(s, "nc_webdav_create_comment", {"path": "Docs/pic.png", "message": "  second @bob "})
        assert c2["comment_id"] and c2["message"] == "second @bob"
        comments = await ok(s, "nc_webdav_list_comments", {"path": "Docs/pic.png"})
        assert [c["message"] for c in comments["comments"]] == ["second @bob", "first"]
        paged = await ok(s, "nc_webdav_list_comments", {"path": "Docs/pic.png", "limit": 1, "offset": 1})
        assert [c["message"] for c in paged["comments"]] == ["first"]
        before = nextcloud.stats()["total"]
        await fails(s, "nc_webdav_create_comment", {"path": "Docs/pic.png", "message": "é" * 1001}, "1000")
        assert nextcloud.stats()["total"] == before, "the over-long comment reached Nextcloud"
        await fails(s, "nc_webdav_list_comments", {"path": "Docs/none"}, "404")

        # system tags
        tagged = await ok(s, "nc_webdav_tag_file", {"path": "Docs/a.pdf", "tag": "Invoices"})
        assert tagged["tag_created"] is True and tagged["changed"] is True
        again = await ok(s, "nc_webdav_tag_file", {"path": "Docs/a.pdf", "tag": "invoices"})
        assert again["changed"] is False and again["tag_created"] is False
        tags = await ok(s, "nc_webdav_list_tags")
        assert [t["name"] for t in tags["tags"]] == ["Invoices"]
        file_tags = await ok(s, "nc_webdav_get_file_tags", {"path": "Docs/a.pdf"})
        assert [t["name"] for t in file_tags["tags"]] == ["Invoices"]
        by_tag = await ok(s, "nc_webdav_find_by_tag_name", {"tag": "Invoices"})
        assert [f["path"] for f in by_tag["results"]] == ["Docs/a.pdf"]
        await fails(s, "nc_webdav_find_by_tag_name", {"tag": "nope"}, "no tag named")
        await fails(s, "nc_webdav_get_file_tags", {"path": "Docs/missing"}, "404")
        await fails(s, "nc_webdav_tag_file", {"path": "Docs/missing", "tag": "X"}, "404")
        untagged = await ok(s, "nc_webdav_untag_file", {"path": "Docs/a.pdf", "tag": "Invoices"})
        assert untagged["changed"] is True and "nc_webdav_tag_file" in untagged["message"]
        await fails(s, "nc_webdav_untag_file", {"path": "Docs/a.pdf", "tag": "Unknown"}, "no tag named")

        # versions
        versions = await ok(s, "nc_webdav_list_versions", {"path": "Docs/über uns.md"})
        assert versions["total"] == 2
        oldest = versions["versions"][-1]["version_id"]
        restored = await ok(s, "nc_webdav_restore_version", {"path": "Docs/über uns.md", "version_id": oldest})
        assert "undo" in restored["message"]
        assert await read_text(s, "Docs/über uns.md") == "# Hallo"
        await fails(s, "nc_webdav_list_versions", {"path": "Docs"}, "folders")
        await fails(s, "nc_webdav_restore_version", {"path": "Docs/über uns.md", "version_id": "123"}, "404")

        # delete -> trash -> restore
        deleted = await ok(s, "nc_webdav_delete_resource", {"path": "Docs/über uns.md"})
        entry = deleted["trash_entry_id"]
        assert entry and entry in deleted["message"]
        await fails(s, "nc_webdav_delete_resource", {"path": "Docs/über uns.md"}, "404")
        await fails(s, "nc_webdav_delete_resource", {"path": ""}, "root")
        trash = await ok(s, "nc_webdav_list_trash")
        assert [e["original_location"] for e in trash["entries"]] == ["Docs/über uns.md"]
        back = await ok(s, "nc_webdav_restore_from_trash", {"entry_id": entry})
        assert back["restored_to"] == "Docs/über uns.md"
        assert await read_text(s, "Docs/über uns.md") == "# Hallo"
        await fails(s, "nc_webdav_restore_from_trash", {"entry_id": entry}, "no trash entry")
        await fails(s, "nc_webdav_restore_from_trash", {"entry_id": "../x"}, "entry_id")


async def test_read_cap_and_streaming_limit(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token,
                          config={"toolsets": {"files": {"max_read_bytes": 1000}}}) as s:
        await ok(s, "nc_webdav_write_file", {"path": "big.txt", "content": "x" * 1001})
        await ok(s, "nc_webdav_write_file", {"path": "small.txt", "content": "x" * 1000})
        # Larger than the read limit: read in ranges of at most the limit.
        first, block = await read_file(s, "big.txt")
        assert len(block.text) == 1000 and first["next_offset"] == 1000 and not first["complete"]
        assert "offset=1000" in first["note"] and first["size"] == 1001
        assert await read_text(s, "big.txt", offset=1000) == "x"
        await fails(s, "nc_webdav_read_file", {"path": "big.txt", "length": 1001}, "1001 bytes", "max_read_bytes")
        assert (await read_file(s, "small.txt"))[0]["size"] == 1000


async def test_excluded_tags_hide_files_everywhere(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        for folder in ("Secret", "Secret/Inner", "Open"):
            await ok(s, "nc_webdav_create_directory", {"path": folder})
        await ok(s, "nc_webdav_write_file", {"path": "Secret/Inner/plan.txt", "content": "hidden"})
        await ok(s, "nc_webdav_write_file", {"path": "Open/private.txt", "content": "hidden too"})
        await ok(s, "nc_webdav_write_file", {"path": "Open/public.txt", "content": "visible"})
        await ok(s, "nc_webdav_tag_file", {"path": "Secret", "tag": "confidential"})
        await ok(s, "nc_webdav_tag_file", {"path": "Open/private.txt", "tag": "confidential"})
    async with session_as("basic", mcp_server, mint_token,
                          config={"toolsets": {"files": {"excluded_tags": ["Confidential"]}}}) as s:
        root = await ok(s, "nc_webdav_list_directory", {})
        names = [f["name"] for f in root["files"]]
        assert "Open" in names and "Secret" not in names
        open_ = await ok(s, "nc_webdav_list_directory", {"path": "Open"})
        assert [f["name"] for f in open_["files"]] == ["public.txt"]
        for tool, args in [
            ("nc_webdav_list_directory", {"path": "Secret"}),
            ("nc_webdav_read_file", {"path": "Secret/Inner/plan.txt"}),
            ("nc_webdav_read_file", {"path": "Open/private.txt"}),
            ("nc_webdav_write_file", {"path": "Secret/new.txt", "content": "x"}),
            ("nc_webdav_delete_resource", {"path": "Open/private.txt"}),
            ("nc_webdav_move_resource", {"source_path": "Open/public.txt", "destination_path": "Secret/p.txt"}),
            ("nc_webdav_list_comments", {"path": "Secret"}),
            ("nc_share_create_public_link", {"path": "Secret/Inner"}),
            ("nc_webdav_untag_file", {"path": "Open/public.txt", "tag": "confidential"}),
        ]:
            await fails(s, tool, args, "not available" if "tag" not in args else "configuration")
        found = await ok(s, "nc_webdav_search_files", {"name_pattern": "%"})
        mine = {f["path"] for f in found["results"] if f["path"].startswith(("Open", "Secret"))}
        assert mine == {"Open", "Open/public.txt"}
        by_tag = await ok(s, "nc_webdav_find_by_tag_name", {"tag": "confidential"})
        assert by_tag["results"] == []


async def test_read_only_mode_serves_only_read_tools(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token, config={"toolsets": {"read_only": True}}) as s:
        names = {t.name for t in (await s.list_tools()).tools}
        assert "nc_webdav_list_directory" in names and "nc_share_list" in names and "nc_notes_get_note" in names
        for write in ("nc_webdav_write_file", "nc_webdav_delete_resource", "nc_webdav_tag_file", "nc_share_create",
                      "nc_notes_create_note", "nc_webdav_restore_from_trash", "nc_share_delete"):
            assert write not in names
        try:
            result = await s.call_tool("nc_webdav_write_file", {"path": "a.txt", "content": "x"})
            assert result.isError
        except McpError as exc:  # an unknown tool is a protocol error
            assert "not found" in str(exc)
        assert nextcloud.stats()["routes"].get("PUT /remote.php/dav/files/alice/a.txt") is None


async def test_search_pages_with_firstresult(mcp_server, mint_token, nextcloud):
    auth = ("alice", "alice-app-password")
    with httpx.Client(base_url=f"{nextcloud.url}/remote.php/dav/files/alice", auth=auth) as http:
        assert http.request("MKCOL", "/Many").status_code == 201
        for i in range(520):
            assert http.put(f"/Many/item-{i:03d}.txt", content=b"x", headers={"If-None-Match": "*"}).status_code == 201
    async with session_as("oauth", mcp_server, mint_token) as s:
        found = await ok(s, "nc_webdav_find_by_name", {"pattern": "item-", "scope": "Many", "limit": 1000})
        assert found["total_found"] == 520 and not found["truncated"]
        assert len({f["path"] for f in found["results"]}) == 520
        assert nextcloud.stats()["routes"].get("SEARCH /remote.php/dav/") == 2


async def test_locked_file_is_a_clear_result(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_write_file", {"path": "locked.txt", "content": "v1"})
        nextcloud.fault(status=423, routes=["/remote.php/dav/files/alice/locked.txt"])
        await fails(s, "nc_webdav_write_file", {"path": "locked.txt", "content": "v2", "if_match": "*"}, "locked")
