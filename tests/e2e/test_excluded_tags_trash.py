"""`toolsets.files.excluded_tags` in the trash bin. A trashed file leaves the user's files but keeps its file id and
its tags, so the trash is checked by file id (`nc:object-ids`, Nextcloud 31+): a tagged trashed file is not listed
or restored, and a trashed folder holding one (at any depth) is listed but not restored, since its contents would
come back with it. The same holds for Collectives' page trash, whose items Nextcloud's trash bin shows: a folder page
trashed in the web interface with a hidden sub-page, or a page whose attachments folder holds a hidden file, is
neither restored nor deleted for good. Every refused call changes nothing."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.e2e.toolkit import fails, ok, read_text, session_as

pytestmark = pytest.mark.e2e

HIDE = {"toolsets": {"files": {"excluded_tags": ["Confidential"]}}}
COLLECTIVE = ".Collectives/Team Handbook"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


async def _trash(s) -> dict[str, dict]:
    return {e["name"]: e for e in (await ok(s, "nc_webdav_list_trash"))["entries"]}


async def test_tagged_trashed_files_and_folders_holding_them_stay_in_the_trash(mcp_server, mint_token):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_write_file", {"path": "secret.txt", "content": "hidden"})
        await ok(s, "nc_webdav_tag_file", {"path": "secret.txt", "tag": "confidential"})
        for folder in ("Project", "Project/deep", "Open"):
            await ok(s, "nc_webdav_create_directory", {"path": folder})
        await ok(s, "nc_webdav_write_file", {"path": "Project/plan.txt", "content": "plan"})
        await ok(s, "nc_webdav_write_file", {"path": "Project/deep/key.txt", "content": "key"})
        await ok(s, "nc_webdav_tag_file", {"path": "Project/deep/key.txt", "tag": "confidential"})
        await ok(s, "nc_webdav_write_file", {"path": "Open/readme.txt", "content": "open"})
        for path in ("secret.txt", "Project", "Open"):
            await ok(s, "nc_webdav_delete_resource", {"path": path})
        before = await _trash(s)
        assert {"secret.txt", "Project", "Open"} <= set(before)
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        listed = await _trash(s)
        assert "secret.txt" not in listed and {"Project", "Open"} <= set(listed)
        await fails(s, "nc_webdav_restore_from_trash", {"entry_id": before["secret.txt"]["entry_id"]},
                    "no trash entry")
        text = await fails(s, "nc_webdav_restore_from_trash", {"entry_id": before["Project"]["entry_id"]}, "hides")
        assert "excluded_tags" in text
        await ok(s, "nc_webdav_restore_from_trash", {"entry_id": before["Open"]["entry_id"]})
        assert await read_text(s, "Open/readme.txt") == "open"
    async with session_as("oauth", mcp_server, mint_token) as s:
        left = await _trash(s)
        assert {"secret.txt", "Project"} <= set(left) and "Open" not in left, "the refused calls changed the trash"
        # Without exclusions the same restore goes through: the refusal above was the exclusion's doing.
        await ok(s, "nc_webdav_restore_from_trash", {"entry_id": before["Project"]["entry_id"]})
        assert await read_text(s, "Project/plan.txt") == "plan"


async def test_the_trash_bin_is_refused_where_nextcloud_cannot_tell_trashed_tags(mcp_server, mint_token, nextcloud):
    httpx.post(f"{nextcloud.url}/__fake/files", json={"object_ids": False}).raise_for_status()
    async with session_as("oauth", mcp_server, mint_token) as s:
        # The tag exists (on a live file): whether trashed items carry it is what Nextcloud cannot tell.
        await ok(s, "nc_webdav_write_file", {"path": "tagged.txt", "content": "x"})
        await ok(s, "nc_webdav_tag_file", {"path": "tagged.txt", "tag": "confidential"})
        await ok(s, "nc_webdav_write_file", {"path": "gone.txt", "content": "x"})
        await ok(s, "nc_webdav_delete_resource", {"path": "gone.txt"})
        entry = (await _trash(s))["gone.txt"]["entry_id"]
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        await fails(s, "nc_webdav_list_trash", {}, "Nextcloud 31", "excluded_tags")
        await fails(s, "nc_webdav_restore_from_trash", {"entry_id": entry}, "Nextcloud 31")
    async with session_as("oauth", mcp_server, mint_token) as s:
        assert "gone.txt" in await _trash(s)


async def _pages(s) -> dict[str, dict]:
    return {p["title"]: p for p in (await ok(s, "collectives_get_pages", {"collective_id": 7}))["pages"]}


async def _trashed(s) -> set[str]:
    return {p["title"] for p in (await ok(s, "collectives_get_trashed_pages", {"collective_id": 7}))["pages"]}


async def test_pages_trashed_with_hidden_sub_pages_or_attachments_are_not_restored_or_deleted(mcp_server, mint_token):
    async with session_as("oauth", mcp_server, mint_token) as s:
        pages = await _pages(s)
        landing = pages["Landing page"]["id"]
        # A folder page whose sub-page is tagged, trashed as the web interface would (no check on the way in).
        await ok(s, "nc_webdav_tag_file", {"path": f"{COLLECTIVE}/Onboarding/First day.md", "tag": "confidential"})
        onboarding = pages["Onboarding"]["id"]
        await ok(s, "collectives_trash_page", {"collective_id": 7, "page_id": onboarding})
        # A leaf page with a tagged file in its attachments folder.
        leaf = (await ok(s, "collectives_create_page", {"collective_id": 7, "parent_id": landing,
                                                         "title": "Slides"}))["page"]["id"]
        attachments = f"{COLLECTIVE}/.attachments.{leaf}"
        await ok(s, "nc_webdav_create_directory", {"path": attachments})
        await ok(s, "nc_webdav_write_file", {"path": f"{attachments}/q3.png", "content": PNG,
                                             "content_type": "image/png;base64"})
        await ok(s, "nc_webdav_tag_file", {"path": f"{attachments}/q3.png", "tag": "confidential"})
        # A folder page with nothing hidden.
        team = (await ok(s, "collectives_create_page", {"collective_id": 7, "parent_id": landing,
                                                         "title": "Team"}))["page"]["id"]
        await ok(s, "collectives_create_page", {"collective_id": 7, "parent_id": team, "title": "Rota"})
        team = (await _pages(s))["Team"]["id"]
        # A live leaf page with the same kind of attachment: trashing it would carry the hidden file along.
        live = (await ok(s, "collectives_create_page", {"collective_id": 7, "parent_id": landing,
                                                         "title": "Budget"}))["page"]["id"]
        await ok(s, "nc_webdav_create_directory", {"path": f"{COLLECTIVE}/.attachments.{live}"})
        await ok(s, "nc_webdav_write_file", {"path": f"{COLLECTIVE}/.attachments.{live}/b.png", "content": PNG,
                                             "content_type": "image/png;base64"})
        await ok(s, "nc_webdav_tag_file", {"path": f"{COLLECTIVE}/.attachments.{live}/b.png", "tag": "confidential"})
        for page_id in (leaf, team):
            await ok(s, "collectives_trash_page", {"collective_id": 7, "page_id": page_id})
        assert await _trashed(s) == {"Onboarding", "Slides", "Team"}
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        # Listed (the pages themselves are not hidden), but never restored or deleted with what they hold.
        assert await _trashed(s) == {"Onboarding", "Slides", "Team"}
        for page_id in (onboarding, leaf):
            for tool in ("collectives_restore_page", "collectives_delete_trashed_page"):
                text = await fails(s, tool, {"collective_id": 7, "page_id": page_id}, "hides")
                assert "sub-pages or attachments" in text, text
        await fails(s, "collectives_trash_page", {"collective_id": 7, "page_id": live}, "hides")
        await ok(s, "collectives_restore_page", {"collective_id": 7, "page_id": team})
        assert {"Team", "Rota", "Budget"} <= set(await _pages(s))
    async with session_as("oauth", mcp_server, mint_token) as s:
        assert await _trashed(s) == {"Onboarding", "Slides"}, "the refused calls changed the trash"
        files = {f["name"] for f in (await ok(s, "nc_webdav_list_directory", {"path": COLLECTIVE}))["files"]}
        assert f".attachments.{live}" in files and "Onboarding" not in files


async def test_a_trashed_folder_too_large_to_check_is_refused_with_the_limit(mcp_server, mint_token):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_write_file", {"path": "tagged.txt", "content": "x"})
        await ok(s, "nc_webdav_tag_file", {"path": "tagged.txt", "tag": "confidential"})
        await ok(s, "nc_webdav_create_directory", {"path": "Big"})
        for i in range(200):  # with Big itself, one folder more than a restore looks into
            await ok(s, "nc_webdav_create_directory", {"path": f"Big/{i:03}"})
        # A tagged file in the trash, so a trashed folder may hold one and must be looked through.
        for path in ("tagged.txt", "Big"):
            await ok(s, "nc_webdav_delete_resource", {"path": path})
        entry = (await _trash(s))["Big"]["entry_id"]
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        await fails(s, "nc_webdav_restore_from_trash", {"entry_id": entry}, "more than 200 folders", "web interface")
    async with session_as("oauth", mcp_server, mint_token) as s:
        assert "Big" in await _trash(s)
