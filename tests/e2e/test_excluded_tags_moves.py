"""`toolsets.files.excluded_tags` when another app moves or deletes files: a note's attachment folder (moved with a
new category, deleted with the note) and Collectives' page trash. A hidden item is never moved, deleted, restored
or listed through another app; a refused call changes nothing."""

from __future__ import annotations

import base64

import pytest

from tests.e2e.toolkit import fails, ok, session_as

pytestmark = pytest.mark.e2e

HIDE = {"toolsets": {"files": {"excluded_tags": ["Confidential"]}}}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


async def _note_with_attachments(s, title: str, names: list[str]) -> tuple[int, str]:
    note = await ok(s, "nc_notes_create_note", {"title": title, "content": f"{title} body", "category": "Ops"})
    folder = f"Notes/Ops/.attachments.{note['id']}"
    await ok(s, "nc_webdav_create_directory", {"path": folder})
    for name in names:
        await ok(s, "nc_webdav_write_file", {"path": f"{folder}/{name}", "content": PNG,
                                             "content_type": "image/png;base64"})
    return note["id"], folder


async def _names(s, path: str) -> set[str]:
    return {f["name"] for f in (await ok(s, "nc_webdav_list_directory", {"path": path}))["files"]}


async def test_note_attachments_holding_hidden_items_are_never_moved_or_deleted(mcp_server, mint_token):
    async with session_as("oauth", mcp_server, mint_token) as s:
        # A hidden file in the attachment folder, a hidden attachment folder, and one with nothing hidden.
        payroll, payroll_dir = await _note_with_attachments(s, "Payroll", ["chart.png", "secret.png"])
        board, board_dir = await _note_with_attachments(s, "Board", ["minutes.png"])
        plain, _ = await _note_with_attachments(s, "Plain", ["ok.png"])
        await ok(s, "nc_webdav_tag_file", {"path": f"{payroll_dir}/secret.png", "tag": "confidential"})
        await ok(s, "nc_webdav_tag_file", {"path": board_dir, "tag": "confidential"})
        etags = {n: (await ok(s, "nc_notes_get_note", {"note_id": n}))["etag"] for n in (payroll, board, plain)}
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        for note in (payroll, board):
            # The note itself is visible; only what would go with its attachments is refused.
            assert (await ok(s, "nc_notes_get_note", {"note_id": note}))["category"] == "Ops"
            await fails(s, "nc_notes_update_note", {"note_id": note, "etag": etags[note], "category": "Archive"},
                        "attachment folder", "excluded_tags")
            await fails(s, "nc_notes_delete_note", {"note_id": note}, "attachment folder", "excluded_tags")
        # A title change leaves the attachment folder where it is (it is named by the note id).
        renamed = await ok(s, "nc_notes_update_note", {"note_id": payroll, "etag": etags[payroll], "title": "Pay"})
        assert renamed["category"] == "Ops"
        moved = await ok(s, "nc_notes_update_note", {"note_id": plain, "etag": etags[plain], "category": "Archive"})
        assert "attachments moved" in moved["message"], moved
    async with session_as("oauth", mcp_server, mint_token) as s:
        for note in (payroll, board):
            assert (await ok(s, "nc_notes_get_note", {"note_id": note}))["category"] == "Ops"
        assert await _names(s, payroll_dir) == {"chart.png", "secret.png"}
        assert await _names(s, board_dir) == {"minutes.png"}
        assert await _names(s, f"Notes/Archive/.attachments.{plain}") == {"ok.png"}
        # Without exclusions the same calls go through: the refusals above were the exclusion's doing.
        await ok(s, "nc_notes_delete_note", {"note_id": board})


COLLECTIVE = ".Collectives/Team Handbook"


async def _pages(s) -> dict[str, dict]:
    return {p["title"]: p for p in (await ok(s, "collectives_get_pages", {"collective_id": 7}))["pages"]}


async def _trashed(s) -> set[str]:
    return {p["title"] for p in (await ok(s, "collectives_get_trashed_pages", {"collective_id": 7}))["pages"]}


async def test_trashed_pages_carrying_an_excluded_tag_stay_hidden(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        # Tagged, then trashed (e.g. in the web interface): its file leaves the user's files, keeping its tag.
        pages = await _pages(s)
        await ok(s, "nc_webdav_tag_file", {"path": f"{COLLECTIVE}/Tools.md", "tag": "confidential"})
        plain = await ok(s, "collectives_create_page", {"collective_id": 7, "parent_id": pages["Landing page"]["id"],
                                                        "title": "Plain"})
        for page_id in (pages["Tools"]["id"], plain["page"]["id"]):
            await ok(s, "collectives_trash_page", {"collective_id": 7, "page_id": page_id})
        assert await _trashed(s) == {"Tools", "Plain"}
    tools = pages["Tools"]["id"]
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        assert await _trashed(s) == {"Plain"}
        await fails(s, "collectives_restore_page", {"collective_id": 7, "page_id": tools}, "not available")
        await fails(s, "collectives_delete_trashed_page", {"collective_id": 7, "page_id": tools}, "not available")
        assert "Tools" not in await _pages(s)
        await ok(s, "collectives_restore_page", {"collective_id": 7, "page_id": plain["page"]["id"]})
        assert "Plain" in await _pages(s)
    async with session_as("oauth", mcp_server, mint_token) as s:
        assert await _trashed(s) == {"Tools"}, "the refused calls changed the trash"
        assert "Tools" not in await _pages(s)


async def test_page_trash_is_refused_where_nextcloud_cannot_tell_trashed_tags(mcp_server, mint_token, nextcloud):
    import httpx

    httpx.post(f"{nextcloud.url}/__fake/files", json={"object_ids": False}).raise_for_status()
    async with session_as("oauth", mcp_server, mint_token) as s:
        pages = await _pages(s)
        await ok(s, "nc_webdav_tag_file", {"path": f"{COLLECTIVE}/Tools.md", "tag": "confidential"})
        await ok(s, "collectives_trash_page", {"collective_id": 7, "page_id": pages["Tools"]["id"]})
        assert await _trashed(s) == {"Tools"}, "without excluded tags the trash is listed as before"
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        for tool, args in (("collectives_get_trashed_pages", {}), ("collectives_restore_page", {"page_id": pages["Tools"]["id"]}),
                           ("collectives_delete_trashed_page", {"page_id": pages["Tools"]["id"]})):
            await fails(s, tool, {"collective_id": 7, **args}, "Nextcloud 31", "excluded_tags")
    async with session_as("oauth", mcp_server, mint_token) as s:
        assert await _trashed(s) == {"Tools"}


async def test_a_hidden_files_deck_attachment_is_not_removed(mcp_server, mint_token):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_write_file", {"path": "private.txt", "content": "hidden"})
        await ok(s, "nc_webdav_write_file", {"path": "open.txt", "content": "open"})
        await ok(s, "nc_webdav_tag_file", {"path": "private.txt", "tag": "confidential"})
        board = await ok(s, "deck_create_board", {"title": "B", "color": "0082c9"})
        stack = await ok(s, "deck_create_stack", {"board_id": board["id"], "title": "S", "order": 1})
        card = await ok(s, "deck_create_card", {"board_id": board["id"], "stack_id": stack["id"], "title": "C"})
        ref = {"board_id": board["id"], "stack_id": stack["id"], "card_id": card["id"]}
        for path in ("private.txt", "open.txt"):
            await ok(s, "deck_attach_file", {"card_id": card["id"], "path": path})
        ids = {a["data"]: a["id"] for a in (await ok(s, "deck_list_attachments", ref))["attachments"]}
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        await fails(s, "deck_delete_attachment", {**ref, "attachment_id": ids["private.txt"]}, "has no attachment")
        await ok(s, "deck_delete_attachment", {**ref, "attachment_id": ids["open.txt"]})
    async with session_as("oauth", mcp_server, mint_token) as s:
        left = [a["data"] for a in (await ok(s, "deck_list_attachments", ref))["attachments"]]
        assert left == ["private.txt"], left
