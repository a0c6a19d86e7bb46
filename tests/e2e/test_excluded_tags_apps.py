"""`toolsets.files.excluded_tags` in every app that reaches a file (issue 10 §4): Deck attachments (a share of
the file), Notes (a note is a file in the Notes folder; its id is the file id) and its resources, sharing of a
folder that holds hidden items, and moving/copying such a folder. Nothing hidden is read, listed or shared, and
a refused call sends no share request."""

from __future__ import annotations

import base64
import json

import pytest

from tests.e2e.toolkit import fails, ok, session_as

pytestmark = pytest.mark.e2e

HIDE = {"toolsets": {"files": {"excluded_tags": ["Confidential"]}}}
SHARES = "POST /ocs/v2.php/apps/files_sharing/api/v1/shares"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


async def _prepare(s) -> dict[str, int]:
    """As alice without exclusions: files, notes and attachments, some tagged `confidential`."""
    for folder in ("Secret", "Docs"):
        await ok(s, "nc_webdav_create_directory", {"path": folder})
    await ok(s, "nc_webdav_write_file", {"path": "Secret/s.txt", "content": "hidden"})
    await ok(s, "nc_webdav_write_file", {"path": "Docs/open.txt", "content": "open"})
    await ok(s, "nc_webdav_write_file", {"path": "Docs/private.txt", "content": "hidden too"})
    in_folder = await ok(s, "nc_notes_create_note", {"title": "Salaries", "content": "secret pay", "category": "HR"})
    by_file = await ok(s, "nc_notes_create_note", {"title": "Diary", "content": "secret diary", "category": ""})
    visible = await ok(s, "nc_notes_create_note", {"title": "Recipes", "content": "public pay", "category": ""})
    att = f"Notes/.attachments.{visible['id']}"
    await ok(s, "nc_webdav_create_directory", {"path": att})
    for name in ("ok.png", "secret.png"):
        await ok(s, "nc_webdav_write_file", {"path": f"{att}/{name}", "content": PNG, "content_type": "image/png;base64"})
    for path in ("Secret", "Docs/private.txt", "Notes/HR", "Notes/Diary.md", f"{att}/secret.png"):
        await ok(s, "nc_webdav_tag_file", {"path": path, "tag": "confidential"})
    card_board = await ok(s, "deck_create_board", {"title": "B", "color": "0082c9"})
    stack = await ok(s, "deck_create_stack", {"board_id": card_board["id"], "title": "S", "order": 1})
    card = await ok(s, "deck_create_card", {"board_id": card_board["id"], "stack_id": stack["id"], "title": "C"})
    # Attached before the exclusion was configured (or from the web UI): never listed while hidden.
    await ok(s, "deck_attach_file", {"card_id": card["id"], "path": "Docs/private.txt"})
    return {"in_folder": in_folder["id"], "by_file": by_file["id"], "visible": visible["id"], "card": card["id"],
            "board": card_board["id"], "stack": stack["id"]}


async def test_hidden_files_stay_hidden_in_every_app(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        ids = await _prepare(s)
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        shares_before = nextcloud.stats()["routes"].get(SHARES, 0)
        # Deck: a hidden file, or a folder holding one, is never attached (shared).
        await fails(s, "deck_attach_file", {"card_id": ids["card"], "path": "Secret/s.txt"}, "not available")
        await fails(s, "deck_attach_file", {"card_id": ids["card"], "path": "Docs/private.txt"}, "not available")
        await fails(s, "deck_attach_file", {"card_id": ids["card"], "path": "Docs"}, "hides")
        await fails(s, "deck_attach_note", {"card_id": ids["card"], "note_id": ids["in_folder"]}, "not available")
        await fails(s, "deck_attach_note", {"card_id": ids["card"], "note_id": ids["by_file"]}, "not available")
        # Sharing: a folder holding a hidden file is not shared either.
        await fails(s, "nc_share_create", {"path": "Docs", "share_type": 0, "share_with": "bob"}, "hides")
        await fails(s, "nc_share_create_public_link", {"path": "Docs", "expires_in_minutes": 60}, "hides")
        assert nextcloud.stats()["routes"].get(SHARES, 0) == shares_before, "a share request was sent"
        attached = await ok(s, "deck_attach_file", {"card_id": ids["card"], "path": "Docs/open.txt"})
        assert attached["share_id"]
        listed = await ok(s, "deck_list_attachments", {"board_id": ids["board"], "stack_id": ids["stack"],
                                                       "card_id": ids["card"]})
        assert [a["data"] for a in listed["attachments"]] == ["open.txt"], listed
        # Deck counts both attachments, the hidden file's share too: a card gives the visible count,
        # a listing leaves the count out and says why.
        card_ref = {"board_id": ids["board"], "stack_id": ids["stack"], "card_id": ids["card"]}
        assert (await ok(s, "deck_get_card", card_ref))["attachmentCount"] == 1
        assert (await ok(s, "deck_archive_card", card_ref))["attachmentCount"] == 1
        assert (await ok(s, "deck_unarchive_card", card_ref))["attachmentCount"] == 1
        cards = await ok(s, "deck_get_cards", {"board_id": ids["board"], "stack_id": ids["stack"],
                                               "detail": "full"})
        assert [c.get("attachment_count") for c in cards["cards"]] == [None], cards
        assert any("attachment_count left out for 1 card(s)" in n for n in cards["notes"]), cards["notes"]
        stack_uri = f"nc://Deck/boards/{ids['board']}/stacks/{ids['stack']}"
        for uri, pick in ((f"{stack_uri}/cards/{ids['card']}", lambda v: v),
                          (f"{stack_uri}/cards", lambda v: v[0]),
                          (stack_uri, lambda v: v["cards"][0]),
                          (f"nc://Deck/boards/{ids['board']}/stacks", lambda v: v[0]["cards"][0])):
            body = json.loads((await s.read_resource(uri)).contents[0].text)
            assert pick(body)["attachmentCount"] == 1, (uri, body)

        # Files: moving or copying a folder would carry the hidden file along (a copy loses its tag).
        await fails(s, "nc_webdav_copy_resource", {"source_path": "Docs", "destination_path": "Leak"}, "hides")
        await fails(s, "nc_webdav_move_resource", {"source_path": "Docs", "destination_path": "Moved"}, "hides")
        await fails(s, "nc_webdav_delete_resource", {"path": "Docs"}, "hides")
        await ok(s, "nc_webdav_copy_resource", {"source_path": "Docs/open.txt", "destination_path": "open-copy.txt"})

        # Notes tools: a note in a hidden folder, or whose own file is tagged, does not exist for them.
        for hidden_id in (ids["in_folder"], ids["by_file"]):
            await fails(s, "nc_notes_get_note", {"note_id": hidden_id}, "not available")
            await fails(s, "nc_notes_append_content", {"note_id": hidden_id, "content": "x"}, "not available")
            await fails(s, "nc_notes_update_note", {"note_id": hidden_id, "etag": "e", "title": "x"}, "not available")
            await fails(s, "nc_notes_delete_note", {"note_id": hidden_id}, "not available")
            with pytest.raises(Exception, match="not available"):
                await s.read_resource(f"nc://Notes/{hidden_id}")
        listed = await ok(s, "nc_notes_list_notes", {"limit": 1000})
        listed_ids = {n["id"] for n in listed["notes"]}
        assert ids["visible"] in listed_ids and not listed_ids & {ids["in_folder"], ids["by_file"]}
        found = await ok(s, "nc_notes_search_notes", {"query": "secret pay diary"})
        assert {r["id"] for r in found["results"]} <= {ids["visible"]}
        await fails(s, "nc_notes_create_note", {"title": "x", "content": "y", "category": "HR"}, "not available")
        await fails(s, "nc_notes_update_note", {"note_id": ids["visible"], "etag": "e", "category": "HR"},
                    "not available")
        assert (await ok(s, "nc_notes_get_note", {"note_id": ids["visible"]}))["content"] == "public pay"

        # Note attachments: a tagged attachment is refused by the tool and the resource.
        good = await ok(s, "nc_notes_get_attachment", {"note_id": ids["visible"], "attachment_filename": "ok.png"})
        assert good["data"] == PNG
        await fails(s, "nc_notes_get_attachment", {"note_id": ids["visible"], "attachment_filename": "secret.png"},
                    "not available")
        with pytest.raises(Exception, match="not available"):
            await s.read_resource(f"nc://Notes/{ids['visible']}/attachments/secret.png")
        await fails(s, "nc_notes_get_attachment", {"note_id": ids["in_folder"], "attachment_filename": "a.png"},
                    "not available")
        res = await s.read_resource(f"nc://Notes/{ids['visible']}/attachments/ok.png")
        assert res.contents[0].blob == PNG
    # Nothing the refused calls touched changed, and without exclusions Deck's own count is given.
    async with session_as("oauth", mcp_server, mint_token) as s:
        card_ref = {"board_id": ids["board"], "stack_id": ids["stack"], "card_id": ids["card"]}
        assert (await ok(s, "deck_get_card", card_ref))["attachmentCount"] == 2
        cards = await ok(s, "deck_get_cards", {"board_id": ids["board"], "stack_id": ids["stack"],
                                               "detail": "full"})
        assert [c["attachment_count"] for c in cards["cards"]] == [2], cards
        card_uri = f"nc://Deck/boards/{ids['board']}/stacks/{ids['stack']}/cards/{ids['card']}"
        assert json.loads((await s.read_resource(card_uri)).contents[0].text)["attachmentCount"] == 2
        assert (await ok(s, "nc_notes_get_note", {"note_id": ids["by_file"]}))["content"] == "secret diary"
        names = {f["name"] for f in (await ok(s, "nc_webdav_list_directory", {}))["files"]}
        assert "Leak" not in names and "Moved" not in names and "Docs" in names
