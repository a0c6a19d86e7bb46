"""Notes toolset (issue 3) against the Notes contract fake: every tool and resource, as an OAuth user and in
basic mode; chunked search and ranking, quoted If-Match and the stale-etag conflict, attachments over WebDAV."""

from __future__ import annotations

import base64

import pytest

from tests.e2e.toolkit import fails, ok, session_as

pytestmark = pytest.mark.e2e

NOTES_TOOLS = {"nc_notes_create_note", "nc_notes_update_note", "nc_notes_append_content", "nc_notes_search_notes",
               "nc_notes_get_note", "nc_notes_get_attachment", "nc_notes_delete_note", "nc_notes_list_notes"}


@pytest.mark.parametrize("mode", ["oauth", "basic"])
async def test_notes_tools(mode, mcp_server, mint_token, nextcloud):
    async with session_as(mode, mcp_server, mint_token) as s:
        names = {t.name for t in (await s.list_tools()).tools}
        assert NOTES_TOOLS <= names

        created = await ok(s, "nc_notes_create_note", {"title": "Groceries", "content": "milk\neggs", "category": "Home"})
        nid, etag = created["id"], created["etag"]
        assert created["category"] == "Home" and etag
        await fails(s, "nc_notes_get_note", {"note_id": 9999}, "404")

        note = await ok(s, "nc_notes_get_note", {"note_id": nid})
        assert note["content"] == "milk\neggs" and note["etag"] == etag

        updated = await ok(s, "nc_notes_update_note", {"note_id": nid, "etag": etag, "content": "milk\neggs\nbread"})
        assert updated["etag"] != etag
        # The old etag is stale now: a clear conflict naming the current etag, nothing written.
        message = await fails(s, "nc_notes_update_note", {"note_id": nid, "etag": etag, "title": "X"},
                              "changed since it was read", "nc_notes_get_note", updated["etag"])
        assert "412" in message
        await fails(s, "nc_notes_update_note", {"note_id": nid, "etag": updated["etag"]}, "at least one field")

        appended = await ok(s, "nc_notes_append_content", {"note_id": nid, "content": "butter"})
        assert (await ok(s, "nc_notes_get_note", {"note_id": nid}))["content"] == "milk\neggs\nbread\n---\nbutter"
        assert appended["etag"]
        await fails(s, "nc_notes_append_content", {"note_id": 4242, "content": "x"}, "404")

        # Enough notes for several chunks (chunkSize 100) so search must follow the cursor.
        for i in range(205):
            await ok(s, "nc_notes_create_note", {"title": f"Filler {i}", "content": "nothing here", "category": ""})
        in_title = await ok(s, "nc_notes_create_note", {"title": "Kubernetes rollout", "content": "plan", "category": "Work"})
        in_body = await ok(s, "nc_notes_create_note", {"title": "Misc", "content": "talk about kubernetes", "category": ""})
        found = await ok(s, "nc_notes_search_notes", {"query": "kubernetes"})
        assert [r["id"] for r in found["results"]] == [in_title["id"], in_body["id"]]
        assert found["results"][0]["score"] > found["results"][1]["score"]
        assert found["total_found"] == 2
        stats = nextcloud.stats()["routes"]
        assert stats.get("GET /index.php/apps/notes/api/v1/notes", 0) >= 3, stats
        await fails(s, "nc_notes_search_notes", {"query": "a"}, "query")

        listed = await ok(s, "nc_notes_list_notes", {"category": "Work"})
        assert listed["total"] == 1 and listed["notes"][0]["id"] == in_title["id"]
        everything = await ok(s, "nc_notes_list_notes", {"limit": 10})
        assert everything["total"] == 208 and len(everything["notes"]) == 10 and everything["truncated"]
        await fails(s, "nc_notes_list_notes", {"limit": 0}, "limit")

        # Attachment in Notes/Home/.attachments.<id>/ (written over WebDAV).
        await ok(s, "nc_webdav_create_directory", {"path": "Notes"})
        await ok(s, "nc_webdav_create_directory", {"path": "Notes/Home"})
        await ok(s, "nc_webdav_create_directory", {"path": f"Notes/Home/.attachments.{nid}"})
        png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
        await ok(s, "nc_webdav_write_file", {"path": f"Notes/Home/.attachments.{nid}/pic.png", "content": png,
                                             "content_type": "image/png;base64"})
        att = await ok(s, "nc_notes_get_attachment", {"note_id": nid, "attachment_filename": "pic.png"})
        assert att["mimeType"] == "image/png" and att["data"] == png
        await fails(s, "nc_notes_get_attachment", {"note_id": nid, "attachment_filename": "../x.png"}, "attachment_filename")
        await fails(s, "nc_notes_get_attachment", {"note_id": nid, "attachment_filename": "missing.png"}, "404")

        # Resources.
        settings = await s.read_resource("notes://settings")
        assert '"notesPath"' in settings.contents[0].text
        templates = {t.uriTemplate for t in (await s.list_resource_templates()).resourceTemplates}
        assert {"nc://Notes/{note_id}", "nc://Notes/{note_id}/attachments/{attachment_filename}"} <= templates
        res = await s.read_resource(f"nc://Notes/{nid}")
        assert "butter" in res.contents[0].text
        blob = await s.read_resource(f"nc://Notes/{nid}/attachments/pic.png")
        assert blob.contents[0].blob == png

        deleted = await ok(s, "nc_notes_delete_note", {"note_id": nid})
        assert deleted["attachments_removed"] is True and "nc_webdav_restore_from_trash" in deleted["message"]
        await fails(s, "nc_notes_get_note", {"note_id": nid}, "404")
        await fails(s, "nc_notes_delete_note", {"note_id": nid}, "404")
        listing = await ok(s, "nc_webdav_list_directory", {"path": "Notes/Home"})
        assert listing["files"] == []


async def test_category_change_moves_attachments(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        note = await ok(s, "nc_notes_create_note", {"title": "T", "content": "c", "category": "A"})
        for folder in ("Notes", "Notes/A", f"Notes/A/.attachments.{note['id']}", "Notes/B"):
            await ok(s, "nc_webdav_create_directory", {"path": folder})
        await ok(s, "nc_webdav_write_file", {"path": f"Notes/A/.attachments.{note['id']}/a.txt", "content": "hi"})
        moved = await ok(s, "nc_notes_update_note", {"note_id": note["id"], "etag": note["etag"], "category": "B"})
        assert "attachments moved" in moved["message"]
        att = await ok(s, "nc_notes_get_attachment", {"note_id": note["id"], "attachment_filename": "a.txt"})
        assert base64.b64decode(att["data"]) == b"hi"
