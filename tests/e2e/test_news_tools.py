"""News toolset (issue 12) through the official MCP SDK, as an OAuth user and in basic mode, against the News contract
fake: every tool's main path and failure cases, bearer tokens only with OCS-APIRequest (401 otherwise), bounded
batchSize (never News' default "everything"), the item-id cursor, the starred+unread trap, one item without
downloading the others, marking read/starred, and the app-absent message."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.toolset_servers import MODES, fails, ok, served_tools, session_for
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

NEWS_TOOLS = {
    "nc_news_list_folders", "nc_news_list_feeds", "nc_news_list_items", "nc_news_get_item",
    "nc_news_get_starred_items", "nc_news_get_unread_items", "nc_news_get_feed_health", "nc_news_get_status",
    "nc_news_mark_items",
}


def queries(nextcloud) -> list[dict]:
    return nextcloud.http.get(f"{nextcloud.url}/__fake/news/items-queries").json()


def item_state(nextcloud) -> dict:
    return nextcloud.http.get(f"{nextcloud.url}/__fake/news/items").json()


async def test_tools_listed_with_annotations(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        tools = await served_tools(s, "nc_news_", NEWS_TOOLS)
    for name, tool in tools.items():
        assert tool.annotations.readOnlyHint is (name != "nc_news_mark_items"), name


async def test_bearer_needs_the_ocs_header(nextcloud, oidc_peer):
    url = f"{nextcloud.url}/index.php/apps/news/api/v1-3/feeds"
    token = oidc_peer.mint("alice")
    plain = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    assert plain.status_code == 401 and plain.json() == {"message": "CORS requires basic auth"}
    with_header = httpx.get(url, headers={"Authorization": f"Bearer {token}", "OCS-APIRequest": "true"})
    assert with_header.status_code == 200


@pytest.mark.parametrize("mode", MODES)
async def test_folders_feeds_status_and_health(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        folders = await ok(s, "nc_news_list_folders")
        assert folders["folders"] == [{"id": 4, "name": "Media", "feed_count": 2, "unread_count": 4}]
        feeds = await ok(s, "nc_news_list_feeds")
        assert feeds["count"] == 3 and feeds["starred_count"] == 3 and feeds["newest_item_id"] == 3443
        assert {f["id"] for f in (await ok(s, "nc_news_list_feeds", {"folder_id": 4}))["feeds"]} == {39, 70}
        status = await ok(s, "nc_news_get_status")
        assert status == {"version": "28.7.0", "improperly_configured_cron": False, "incorrect_db_charset": False}
        health = await ok(s, "nc_news_get_feed_health")
        assert [f["id"] for f in health["feeds"]] == [67, 70] and health["message"].startswith("2 feed(s)")
        one = await ok(s, "nc_news_get_feed_health", {"feed_id": 39})
        assert one["message"] == "feed 39 updates without errors"
        await fails(s, "nc_news_get_feed_health", {"feed_id": 5}, "feed 5 not found")
        nextcloud.http.post(f"{nextcloud.url}/__fake/news/cron", json={"broken": True})
        broken = await ok(s, "nc_news_get_feed_health", {"feed_id": 67})
        assert broken["improperly_configured_cron"] and "cron is not set up" in broken["message"]
        assert "57 update(s)" in broken["message"]


@pytest.mark.parametrize("mode", MODES)
async def test_items_page_by_id_cursor_with_bounded_batches(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        everything = await ok(s, "nc_news_list_items")
        assert everything["count"] == 12 and everything["has_more"] is False and everything["next_offset"] is None
        first = await ok(s, "nc_news_list_items", {"limit": 5})
        assert [i["id"] for i in first["items"]] == [3443, 3442, 3441, 3440, 3439] and first["next_offset"] == 3439
        item = first["items"][0]
        assert item["feed_title"] == "The Oatmeal - Comics, Quizzes, & Stories" and item["excerpt"].startswith("Body of post 3443 & more")
        second = await ok(s, "nc_news_list_items", {"limit": 5, "offset": first["next_offset"]})
        assert [i["id"] for i in second["items"]] == [3438, 3437, 3436, 3435, 3434]
        feed = await ok(s, "nc_news_list_items", {"feed_id": 67, "limit": 3})
        assert [i["id"] for i in feed["items"]] == [3442, 3440, 3438]
        folder = await ok(s, "nc_news_list_items", {"folder_id": 4, "unread_only": True, "excerpt_chars": 0})
        assert [i["id"] for i in folder["items"]] == [3443, 3439, 3437, 3433] and "excerpt" not in folder["items"][0]
        await fails(s, "nc_news_list_items", {"feed_id": 67, "folder_id": 4}, "not both")
        await fails(s, "nc_news_list_items", {"feed_id": 67, "starred_only": True}, "starred_only")
        await fails(s, "nc_news_list_items", {"limit": -1}, "limit")
        await fails(s, "nc_news_list_items", {"limit": 201}, "limit")
        unknown = await ok(s, "nc_news_list_items", {"feed_id": 999})
        assert unknown["items"] == []
    seen = queries(nextcloud)
    assert seen and all(1 <= int(q["batchSize"]) <= 200 for q in seen)  # never -1 ("everything")


@pytest.mark.parametrize("mode", MODES)
async def test_starred_and_unread_lists_and_the_trap(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        starred = await ok(s, "nc_news_get_starred_items")
        assert [i["id"] for i in starred["items"]] == [3441, 3437, 3434]
        unread = await ok(s, "nc_news_get_unread_items", {"limit": 3})
        assert [i["id"] for i in unread["items"]] == [3443, 3442, 3440] and unread["has_more"]
        both = await ok(s, "nc_news_list_items", {"starred_only": True, "unread_only": True})
        assert [i["id"] for i in both["items"]] == [3437, 3434]  # News refuses this filter: done here
    assert not any(q["type"] == "2" and q["getRead"] == "false" for q in queries(nextcloud))


@pytest.mark.parametrize("mode", MODES)
async def test_get_item_without_downloading_everything(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        item = await ok(s, "nc_news_get_item", {"item_id": 3440})
        assert item["id"] == 3440 and item["title"] == "Post 3440" and item["feed_title"] == "Planet KDE"
        assert item["body"].startswith("Body of post 3440 & more") and "<p>" not in item["body"]
        short = await ok(s, "nc_news_get_item", {"item_id": 3440, "max_body_chars": 4})
        assert short["body"] == "Body" and short["body_truncated"]
        await fails(s, "nc_news_get_item", {"item_id": 9999}, "item 9999 not found")
        await fails(s, "nc_news_get_item", {"item_id": 0}, "item_id")
    q = queries(nextcloud)
    assert {(x["batchSize"], x["offset"]) for x in q} == {("1", "3441"), ("1", "10000")}


@pytest.mark.parametrize("mode", MODES)
async def test_mark_items_read_and_starred(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        done = await ok(s, "nc_news_mark_items", {"item_ids": [3443, 3442, 12345], "read": True, "starred": True})
        assert done["actions"] == ["read", "star"]
        state = item_state(nextcloud)
        assert state["3443"] == {"unread": False, "starred": True} and state["3442"]["starred"] is True
        await ok(s, "nc_news_mark_items", {"item_ids": [3443], "read": False, "starred": False})
        assert item_state(nextcloud)["3443"] == {"unread": True, "starred": False}
        await fails(s, "nc_news_mark_items", {"item_ids": [3443]}, "read and/or starred")
        await fails(s, "nc_news_mark_items", {"item_ids": [], "read": True}, "item_ids")


async def test_news_absent_is_explained(nextcloud, oidc_peer, mcp_server):
    nextcloud.set_apps(["notes", "deck", "tables", "calendar", "contacts", "spreed", "mail"])
    server = mcp_server()
    async with mcp_session(server.url, oidc_peer.mint("alice")) as s:
        text = await fails(s, "nc_news_list_feeds", {}, "News app is not installed or not enabled for you")
        assert "occ app:enable news" in text
