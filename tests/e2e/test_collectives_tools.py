"""Collectives toolset (issue 13) through the official MCP SDK, as an OAuth user and in basic mode, against the
Collectives contract fake: page text read and written over WebDAV at the page's own file (a leaf becoming
`Title/Readme.md`), trashing a page with its sub-pages (said in the result), permanent delete from the page trash,
search with the index lag noted and title fallback, the collective lifecycle, tags, the app's own error texts
(`meta.message`) as isError results, `excluded_tags` on page files, and the app-absent message."""

from __future__ import annotations

import pytest

from tests.e2e.toolkit import session_as
from tests.e2e.toolset_servers import MODES, fails, ok, served_tools, session_for
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

READ = {
    "collectives_get_collectives", "collectives_get_pages", "collectives_get_page", "collectives_search_pages",
    "collectives_get_tags", "collectives_get_trashed_pages", "collectives_get_trashed_collectives",
}
WRITE = {
    "collectives_create_collective", "collectives_set_collective_emoji", "collectives_trash_collective",
    "collectives_delete_collective", "collectives_restore_collective", "collectives_create_page",
    "collectives_update_page", "collectives_move_page", "collectives_trash_page", "collectives_restore_page",
    "collectives_delete_trashed_page", "collectives_set_page_emoji", "collectives_create_tag",
    "collectives_assign_tag", "collectives_remove_tag",
}
DESTRUCTIVE = {"collectives_trash_collective", "collectives_delete_collective", "collectives_update_page",
               "collectives_trash_page", "collectives_delete_trashed_page"}
ROOT = ".Collectives/Team Handbook"
HIDE = {"toolsets": {"files": {"excluded_tags": ["Confidential"]}}}


async def pages_by_title(s, cid: int = 7) -> dict[str, dict]:
    return {p["title"]: p for p in (await ok(s, "collectives_get_pages", {"collective_id": cid}))["pages"]}


async def test_tools_listed_with_annotations(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        tools = await served_tools(s, "collectives_", READ | WRITE)
    for name, tool in tools.items():
        assert tool.annotations.readOnlyHint is (name in READ), name
        assert tool.annotations.destructiveHint is (name in DESTRUCTIVE), name


@pytest.mark.parametrize("mode", MODES)
async def test_read_tree_page_text_and_tags(servers, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        listed = await ok(s, "collectives_get_collectives")
        assert {c["name"]: (c["level"], c["can_edit"]) for c in listed["collectives"]} == {
            "Team Handbook": (9, True), "Board minutes": (1, False)}
        pages = await pages_by_title(s)
        assert set(pages) == {"Landing page", "Onboarding", "First day", "Tools"}
        assert pages["First day"]["parent_id"] == pages["Onboarding"]["id"]
        assert pages["Onboarding"]["file"] == f"{ROOT}/Onboarding/Readme.md" and pages["Onboarding"]["tags"] == [3]
        page = await ok(s, "collectives_get_page", {"collective_id": 7, "page_id": pages["First day"]["id"]})
        assert page["content"] == "# First day\n\nGet your laptop." and page["etag"]
        tags = await ok(s, "collectives_get_tags", {"collective_id": 7})
        assert [(t["id"], t["name"], t["color"]) for t in tags["tags"]] == [(3, "howto", "2E7D32"), (4, "draft", "")]
        # The app's own texts come back as isError results, never as JSON-RPC errors.
        await fails(s, "collectives_get_pages", {"collective_id": 999}, "Collective not found: 999")
        await fails(s, "collectives_get_page", {"collective_id": 7, "page_id": 99999}, "Page not found: 99999")


async def test_unreadable_page_text_is_reported_not_emptied(servers, nextcloud, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        page = (await pages_by_title(s))["Tools"]
        nextcloud.respond(f"/remote.php/dav/files/alice/.Collectives/", status=500, method="GET",
                          body="<h1>Internal Server Error</h1>", content_type="text/html")
        await fails(s, "collectives_get_page", {"collective_id": 7, "page_id": page["id"]},
                    "its text could not be", "HTTP 500")


async def test_another_user_does_not_see_the_collective(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer, user="bob") as s:
        assert (await ok(s, "collectives_get_collectives"))["collectives"] == []
        await fails(s, "collectives_get_pages", {"collective_id": 7}, "Collective not found: 7")


@pytest.mark.parametrize("mode", MODES)
async def test_create_page_with_text_then_update_it(servers, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        tools = (await pages_by_title(s))["Tools"]
        assert tools["file"] == f"{ROOT}/Tools.md"
        made = await ok(s, "collectives_create_page", {"collective_id": 7, "parent_id": tools["id"],
                                                       "title": "Laptop setup", "content": "# Laptop\n\nInstall."})
        assert made["page"]["file"] == f"{ROOT}/Tools/Laptop setup.md" and made["etag"]
        pages = await pages_by_title(s)
        # The leaf parent became an index page: same id, new file.
        assert pages["Tools"]["id"] == tools["id"] and pages["Tools"]["file"] == f"{ROOT}/Tools/Readme.md"
        assert pages["Laptop setup"]["parent_id"] == tools["id"]
        read = await ok(s, "collectives_get_page", {"collective_id": 7, "page_id": made["page"]["id"]})
        assert read["content"] == "# Laptop\n\nInstall."
        # The same file through the Files tools: one file, one text.
        stat = await ok(s, "nc_webdav_read_file", {"path": f"{ROOT}/Tools/Laptop setup.md"})
        assert stat["size"] == len("# Laptop\n\nInstall.")
        updated = await ok(s, "collectives_update_page", {"collective_id": 7, "page_id": made["page"]["id"],
                                                          "content": "# Laptop\n\nInstall v2.", "etag": read["etag"]})
        assert updated["etag"] and updated["etag"] != read["etag"]
        again = await ok(s, "collectives_get_page", {"collective_id": 7, "page_id": made["page"]["id"]})
        assert again["content"] == "# Laptop\n\nInstall v2."
        await fails(s, "collectives_update_page", {"collective_id": 7, "page_id": made["page"]["id"],
                                                   "content": "lost update", "etag": read["etag"]}, "412")
        clash = await ok(s, "collectives_create_page", {"collective_id": 7, "parent_id": tools["id"],
                                                        "title": "Laptop setup"})
        assert clash["page"]["title"] == "Laptop setup (2)" and "already existed" in clash["message"]
        # A member without edit rights gets the app's refusal.
        board = await pages_by_title(s, 8)
        await fails(s, "collectives_create_page", {"collective_id": 8, "parent_id": board["Landing page"]["id"],
                                                   "title": "x"}, "not allowed")


async def test_search_notes_the_index_lag_and_matches_titles(servers, nextcloud, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        found = await ok(s, "collectives_search_pages", {"collective_id": 7, "query": "laptop"})
        assert [p["title"] for p in found["pages"]] == ["First day"] and "5 minutes" in found["note"]
        landing = (await pages_by_title(s))["Landing page"]
        await ok(s, "collectives_create_page", {"collective_id": 7, "parent_id": landing["id"], "title": "Printers",
                                                "content": "Toner lives in the cupboard."})
        fresh = await ok(s, "collectives_search_pages", {"collective_id": 7, "query": "toner"})
        assert fresh["pages"] == []  # not indexed yet
        by_title = await ok(s, "collectives_search_pages", {"collective_id": 7, "query": "printers"})
        assert [p["title"] for p in by_title["pages"]] == ["Printers"]
        nextcloud.http.post(f"{nextcloud.url}/__fake/collectives/index")
        indexed = await ok(s, "collectives_search_pages", {"collective_id": 7, "query": "toner cupboard"})
        assert [p["title"] for p in indexed["pages"]] == ["Printers"]
        await fails(s, "collectives_search_pages", {"collective_id": 7, "query": "  "}, "query")


@pytest.mark.parametrize("mode", MODES)
async def test_trash_takes_sub_pages_restore_and_delete_for_good(servers, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        pages = await pages_by_title(s)
        onboarding, first = pages["Onboarding"], pages["First day"]
        trashed = await ok(s, "collectives_trash_page", {"collective_id": 7, "page_id": onboarding["id"]})
        assert trashed["page"]["trash_timestamp"] and "First day" in trashed["message"]
        assert "1 sub-page" in trashed["message"] and "collectives_restore_page" in trashed["message"]
        assert set(await pages_by_title(s)) == {"Landing page", "Tools"}
        listed = await ok(s, "collectives_get_trashed_pages", {"collective_id": 7})
        assert [p["id"] for p in listed["pages"]] == [onboarding["id"]]
        restored = await ok(s, "collectives_restore_page", {"collective_id": 7, "page_id": onboarding["id"]})
        assert restored["page"]["id"] == onboarding["id"]
        back = await pages_by_title(s)
        assert back["First day"]["id"] == first["id"]
        await fails(s, "collectives_restore_page", {"collective_id": 7, "page_id": onboarding["id"]},
                    f"Failed to restore page {onboarding['id']}. Not found in trash.")
        await ok(s, "collectives_trash_page", {"collective_id": 7, "page_id": onboarding["id"]})
        gone = await ok(s, "collectives_delete_trashed_page", {"collective_id": 7, "page_id": onboarding["id"]})
        assert "for good" in gone["message"]
        assert (await ok(s, "collectives_get_trashed_pages", {"collective_id": 7}))["pages"] == []
        await fails(s, "collectives_delete_trashed_page", {"collective_id": 7, "page_id": onboarding["id"]},
                    "Not found in trash")
        await fails(s, "collectives_trash_page", {"collective_id": 7, "page_id": pages["Landing page"]["id"]},
                    "landing page")


async def test_trash_that_happened_despite_a_500_is_reported_as_done(servers, nextcloud, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        tools = (await pages_by_title(s))["Tools"]
        nextcloud.http.post(f"{nextcloud.url}/__fake/collectives/fail-after", json={"on": True})
        trashed = await ok(s, "collectives_trash_page", {"collective_id": 7, "page_id": tools["id"]})
        assert trashed["page"]["trash_timestamp"] and "moved to the trash" in trashed["message"]
        # A 500 without the action (the 2nd matching call: the DELETE after the GET) stays an error.
        onboarding = (await pages_by_title(s))["Onboarding"]
        nextcloud.http.post(f"{nextcloud.url}/__fake/fault", json={"status": 500, "share": 0.5,
                            "routes": [f"/ocs/v2.php/apps/collectives/api/v1.0/collectives/7/pages/{onboarding['id']}"]})
        await fails(s, "collectives_trash_page", {"collective_id": 7, "page_id": onboarding["id"]}, "500")


async def test_move_rename_and_copy(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        pages = await pages_by_title(s)
        moved = await ok(s, "collectives_move_page", {"collective_id": 7, "page_id": pages["First day"]["id"],
                                                      "parent_id": pages["Tools"]["id"], "title": "Day one"})
        assert moved["page"]["id"] == pages["First day"]["id"] and moved["page"]["file"] == f"{ROOT}/Tools/Day one.md"
        copied = await ok(s, "collectives_move_page", {"collective_id": 7, "page_id": moved["page"]["id"],
                                                       "parent_id": pages["Onboarding"]["id"], "copy": True})
        assert copied["page"]["id"] != moved["page"]["id"] and "new page" in copied["message"]
        text = await ok(s, "collectives_get_page", {"collective_id": 7, "page_id": copied["page"]["id"]})
        assert text["content"] == "# First day\n\nGet your laptop."
        await fails(s, "collectives_move_page", {"collective_id": 7, "page_id": pages["Landing page"]["id"],
                                                 "title": "x"}, "landing page")


@pytest.mark.parametrize("mode", MODES)
async def test_collective_lifecycle_and_app_texts(servers, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        made = await ok(s, "collectives_create_collective", {"name": "Recipes", "emoji": "🍲"})
        cid = made["collective"]["id"]
        assert made["collective"]["emoji"] == "🍲" and made["collective"]["level"] == 9
        await fails(s, "collectives_create_collective", {"name": "Team Handbook"}, "Collective already exists.")
        await fails(s, "collectives_set_collective_emoji", {"collective_id": cid, "emoji": "soup"},
                    "Emoji must be a single emoji character")
        cleared = await ok(s, "collectives_set_collective_emoji", {"collective_id": cid})
        assert cleared["collective"]["emoji"] is None
        await fails(s, "collectives_set_collective_emoji", {"collective_id": 8, "emoji": "📝"},
                    "Member alice not allowed to update collective: 8")
        trashed = await ok(s, "collectives_trash_collective", {"collective_id": cid})
        assert trashed["collective"]["trash_timestamp"] and "collectives_restore_collective" in trashed["message"]
        assert [c["id"] for c in (await ok(s, "collectives_get_trashed_collectives"))["collectives"]] == [cid]
        await ok(s, "collectives_restore_collective", {"collective_id": cid})
        again = await ok(s, "collectives_restore_collective", {"collective_id": cid})
        assert "already active" in again["message"]
        await fails(s, "collectives_delete_collective", {"collective_id": cid}, f"Collective not found in trash: {cid}")
        await ok(s, "collectives_trash_collective", {"collective_id": cid})
        deleted = await ok(s, "collectives_delete_collective", {"collective_id": cid})
        assert "for good" in deleted["message"] and "Team was kept" in deleted["message"]
        assert cid not in [c["id"] for c in (await ok(s, "collectives_get_collectives"))["collectives"]]
        await fails(s, "collectives_restore_collective", {"collective_id": cid}, f"Collective not found in trash: {cid}")


async def test_page_emoji_and_tags(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        page = (await pages_by_title(s))["Tools"]
        set_ = await ok(s, "collectives_set_page_emoji", {"collective_id": 7, "page_id": page["id"], "emoji": "🛠"})
        assert set_["page"]["emoji"] == "🛠"
        await fails(s, "collectives_set_page_emoji", {"collective_id": 7, "page_id": page["id"], "emoji": "invalid"},
                    "Emoji must be a single emoji character")
        assert (await ok(s, "collectives_set_page_emoji", {"collective_id": 7, "page_id": page["id"]}))["page"]["emoji"] is None
        tag = await ok(s, "collectives_create_tag", {"collective_id": 7, "name": "ops", "color": "#1E88E5"})
        assert tag["tag"]["color"] == "1E88E5"
        await fails(s, "collectives_create_tag", {"collective_id": 7, "name": "bad", "color": "zz"},
                    "Collective color is not valid: zz")
        added = await ok(s, "collectives_assign_tag", {"collective_id": 7, "page_id": page["id"], "tag_id": tag["tag"]["id"]})
        assert added["page"]["tags"] == [tag["tag"]["id"]]
        removed = await ok(s, "collectives_remove_tag", {"collective_id": 7, "page_id": page["id"], "tag_id": tag["tag"]["id"]})
        assert removed["page"]["tags"] == []
        await fails(s, "collectives_assign_tag", {"collective_id": 7, "page_id": page["id"], "tag_id": 999}, "Tag not found")


async def test_excluded_tags_hold_for_page_files(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        pages = await pages_by_title(s)
        await ok(s, "nc_webdav_tag_file", {"path": f"{ROOT}/Tools.md", "tag": "confidential"})
        await ok(s, "nc_webdav_tag_file", {"path": f"{ROOT}/Onboarding/First day.md", "tag": "confidential"})
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        visible = await pages_by_title(s)
        assert set(visible) == {"Landing page", "Onboarding"}
        for hidden in ("Tools", "First day"):
            pid = pages[hidden]["id"]
            await fails(s, "collectives_get_page", {"collective_id": 7, "page_id": pid}, "not available")
            await fails(s, "collectives_update_page", {"collective_id": 7, "page_id": pid, "content": "x", "etag": "e"},
                        "not available")
            await fails(s, "collectives_set_page_emoji", {"collective_id": 7, "page_id": pid, "emoji": "🛠"},
                        "not available")
            await fails(s, "collectives_create_page", {"collective_id": 7, "parent_id": pid, "title": "x"},
                        "not available")
        # Trashing or moving Onboarding would carry the hidden sub-page along.
        await fails(s, "collectives_trash_page", {"collective_id": 7, "page_id": pages["Onboarding"]["id"]}, "hides")
        await fails(s, "collectives_move_page", {"collective_id": 7, "page_id": pages["Onboarding"]["id"],
                                                 "title": "Moved"}, "hides")
        found = await ok(s, "collectives_search_pages", {"collective_id": 7, "query": "laptop"})
        assert found["pages"] == []
        assert (await ok(s, "collectives_get_page", {"collective_id": 7, "page_id": pages["Onboarding"]["id"]}))["content"]


async def test_collectives_absent_is_explained(nextcloud, oidc_peer, mcp_server):
    nextcloud.set_apps(["notes", "deck", "tables", "calendar", "contacts", "spreed", "mail", "news"])
    server = mcp_server()
    async with mcp_session(server.url, oidc_peer.mint("alice")) as s:
        text = await fails(s, "collectives_get_collectives", {}, "Collectives app is not installed or not enabled for you")
        assert "occ app:enable collectives" in text


async def test_presence_is_probed_once_per_user(nextcloud, oidc_peer, mcp_server):
    server = mcp_server()
    probe = "GET /ocs/v2.php/apps/collectives/api/v1.0/collectives"
    alice = oidc_peer.mint("alice")
    # Cached by credential: alice's token twice (two sessions), then bob: two probes in all.
    for token in (alice, alice, oidc_peer.mint("bob")):
        async with mcp_session(server.url, token) as s:
            for _ in range(2):
                await ok(s, "collectives_get_trashed_collectives")
    assert nextcloud.stats()["routes"].get(probe) == 2, nextcloud.stats()["routes"]
