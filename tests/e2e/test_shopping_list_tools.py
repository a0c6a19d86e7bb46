"""Shopping List toolset (issue 13) through the official MCP SDK, as an OAuth user and in basic mode, against the Shopping
List contract fake: every tool's main path and failure cases, the app's own error text (`ocs.data.message`), no `checked`
sent on create (done with /check instead), explicit null clearing quantity/unit/area, the item's list checked by us, and
the app-absent message."""

from __future__ import annotations

import pytest

from tests.e2e.toolset_servers import MODES, fails, fake_state, ok, served_tools, session_for
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

SHOPPING_TOOLS = {
    "nc_shopping_list_get_lists", "nc_shopping_list_get_list", "nc_shopping_list_create_list",
    "nc_shopping_list_update_list", "nc_shopping_list_delete_list", "nc_shopping_list_get_items",
    "nc_shopping_list_add_items", "nc_shopping_list_update_item", "nc_shopping_list_check_item",
    "nc_shopping_list_delete_item", "nc_shopping_list_clear_checked_items", "nc_shopping_list_uncheck_all_items",
    "shopping_list_add_recipe",
}
READ = {"nc_shopping_list_get_lists", "nc_shopping_list_get_list", "nc_shopping_list_get_items"}
DESTRUCTIVE = {"nc_shopping_list_delete_list", "nc_shopping_list_delete_item", "nc_shopping_list_clear_checked_items"}


def bodies(nextcloud) -> list[dict]:
    return nextcloud.http.get(f"{nextcloud.url}/__fake/shopping_list/bodies").json()


async def test_tools_listed_with_annotations(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        tools = await served_tools(s, "nc_shopping_list_", SHOPPING_TOOLS - {"shopping_list_add_recipe"})
        tools |= await served_tools(s, "shopping_list_", {"shopping_list_add_recipe"})
    for name, tool in tools.items():
        assert tool.annotations.readOnlyHint is (name in READ), name
        assert tool.annotations.destructiveHint is (name in DESTRUCTIVE), name
    assert tools["nc_shopping_list_create_list"].annotations.idempotentHint is False
    assert tools["nc_shopping_list_add_items"].annotations.idempotentHint is False
    assert tools["nc_shopping_list_check_item"].annotations.idempotentHint is True
    assert tools["shopping_list_add_recipe"].annotations.idempotentHint is False


@pytest.mark.parametrize("mode", MODES)
async def test_lists_read_create_rename_delete(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        lists = await ok(s, "nc_shopping_list_get_lists")
        assert [(x["id"], x["is_owner"], x["writable"]) for x in lists["lists"]] == [
            (4, True, True), (9, False, False), (11, False, True)]
        one = await ok(s, "nc_shopping_list_get_list", {"list_id": 4})
        assert one["title"] == "Weekly groceries" and one["owner"] == "alice"
        # unshared and unknown lists: the app's own text
        await fails(s, "nc_shopping_list_get_list", {"list_id": 10}, "List not found")
        created = await ok(s, "nc_shopping_list_create_list", {"title": " Camping "})
        assert created["title"] == "Camping" and created["is_owner"]
        renamed = await ok(s, "nc_shopping_list_update_list", {"list_id": created["id"], "title": "Camping trip"})
        assert renamed["title"] == "Camping trip"
        await fails(s, "nc_shopping_list_update_list", {"list_id": 9, "title": "x"}, "No write access")
        await fails(s, "nc_shopping_list_create_list", {"title": "  "}, "title")
        # a write share may not delete: the app says why (not a guessed "no write access")
        await fails(s, "nc_shopping_list_delete_list", {"list_id": 11}, "Owner access required")
        done = await ok(s, "nc_shopping_list_delete_list", {"list_id": created["id"]})
        assert "permanently" in done["message"]
        assert str(created["id"]) not in fake_state(nextcloud, "shopping_list")["lists"]
        await fails(s, "nc_shopping_list_delete_list", {"list_id": created["id"]}, "List not found")


@pytest.mark.parametrize("mode", MODES)
async def test_items_with_area_names(servers, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        items = await ok(s, "nc_shopping_list_get_items", {"list_id": 4})
        assert [i["id"] for i in items["items"]] == [32, 31, 28] and items["unchecked"] == 2
        flour = items["items"][1]
        assert flour["area"] == "General" and flour["quantity"] == "2" and flour["unit"] == "cups"
        assert items["items"][2]["checked"] and items["items"][2]["checked_by"] == "bob"
        open_only = await ok(s, "nc_shopping_list_get_items", {"list_id": 4, "include_checked": False})
        assert [i["id"] for i in open_only["items"]] == [32, 31]
        await fails(s, "nc_shopping_list_get_items", {"list_id": 10}, "List not found")


@pytest.mark.parametrize("mode", MODES)
async def test_add_items_detects_area_and_never_sends_checked(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        added = await ok(s, "nc_shopping_list_add_items", {"list_id": 4, "items": [
            {"name": "Tomatoes", "quantity": "4"},
            {"name": "butter", "quantity": "250", "unit": "g", "checked": True},
            {"name": "candles"},
        ]})
        assert added["added"] == 3 and added["failed"] == 0
        tomatoes, butter, candles = (r["item"] for r in added["results"])
        assert tomatoes["area"] == "Produce" and tomatoes["quantity"] == "4"
        assert butter["area"] == "Dairy" and butter["checked"] is True and butter["checked_by"] == "alice"
        assert candles["shop_area_id"] is None and candles["quantity"] == "1"
        await fails(s, "nc_shopping_list_add_items", {"list_id": 9, "items": [{"name": "x"}]}, "No write access")
        await fails(s, "nc_shopping_list_add_items", {"list_id": 4, "items": []}, "items")
        await fails(s, "nc_shopping_list_add_items", {"list_id": 4, "items": [{"name": " "}]}, "name")
    posts = [b["body"] for b in bodies(nextcloud) if b["method"] == "POST"]
    assert len(posts) == 3 and all("checked" not in b for b in posts)
    assert fake_state(nextcloud, "shopping_list")["items"][str(butter["id"])]["checked"] is True


@pytest.mark.parametrize("mode", MODES)
async def test_update_item_null_clears_and_list_is_checked(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        changed = await ok(s, "nc_shopping_list_update_item", {"list_id": 4, "item_id": 31, "quantity": "3"})
        assert changed["quantity"] == "3" and changed["unit"] == "cups" and changed["shop_area_id"] is not None
        cleared = await ok(s, "nc_shopping_list_update_item",
                           {"list_id": 4, "item_id": 31, "unit": None, "shop_area_id": None, "name": "spelt flour"})
        assert cleared["unit"] is None and cleared["shop_area_id"] is None and cleared["name"] == "spelt flour"
        assert cleared["quantity"] == "3"
        # item 31 is on list 4: the app would update it through list 11 (which alice may write); we refuse
        await fails(s, "nc_shopping_list_update_item", {"list_id": 11, "item_id": 31, "quantity": "9"},
                    "item 31 is not on shopping list 11")
        await fails(s, "nc_shopping_list_check_item", {"list_id": 11, "item_id": 31}, "not on shopping list 11")
        await fails(s, "nc_shopping_list_delete_item", {"list_id": 11, "item_id": 31}, "not on shopping list 11")
        await fails(s, "nc_shopping_list_update_item", {"list_id": 4, "item_id": 31}, "nothing to change")
        await fails(s, "nc_shopping_list_update_item", {"list_id": 9, "item_id": 40, "quantity": "1"}, "No write access")
    puts = [b["body"] for b in bodies(nextcloud) if b["method"] == "PUT"]
    assert puts[1] == {"name": "spelt flour", "unit": None, "shopAreaId": None}  # explicit nulls went out
    assert fake_state(nextcloud, "shopping_list")["items"]["31"]["quantity"] == "3"  # the refused call changed nothing


@pytest.mark.parametrize("mode", MODES)
async def test_check_delete_clear_and_uncheck(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        checked = await ok(s, "nc_shopping_list_check_item", {"list_id": 4, "item_id": 32})
        assert checked["checked"] and checked["checked_by"] == "alice"
        unchecked = await ok(s, "nc_shopping_list_check_item", {"list_id": 4, "item_id": 32, "checked": False})
        assert unchecked["checked"] is False and unchecked["checked_by"] is None
        await ok(s, "nc_shopping_list_check_item", {"list_id": 4, "item_id": 31})
        reset = await ok(s, "nc_shopping_list_uncheck_all_items", {"list_id": 4})
        assert reset["count"] == 2  # 31 and 28
        assert not any(i["checked"] for i in fake_state(nextcloud, "shopping_list")["items"].values() if i["listId"] == 4)
        await ok(s, "nc_shopping_list_check_item", {"list_id": 4, "item_id": 28})
        cleared = await ok(s, "nc_shopping_list_clear_checked_items", {"list_id": 4})
        assert cleared["count"] == 1 and "28" not in fake_state(nextcloud, "shopping_list")["items"]
        deleted = await ok(s, "nc_shopping_list_delete_item", {"list_id": 4, "item_id": 32})
        assert "eggs" in deleted["message"] and "32" not in fake_state(nextcloud, "shopping_list")["items"]
        await fails(s, "nc_shopping_list_delete_item", {"list_id": 4, "item_id": 32}, "not on shopping list 4")
        await fails(s, "nc_shopping_list_clear_checked_items", {"list_id": 9}, "No write access")
        await fails(s, "nc_shopping_list_uncheck_all_items", {"list_id": 10}, "List not found")


async def test_shopping_list_absent_is_explained(nextcloud, oidc_peer, mcp_server):
    nextcloud.set_apps(["notes", "deck", "tables", "calendar", "contacts", "spreed", "mail", "news"])
    server = mcp_server()
    async with mcp_session(server.url, oidc_peer.mint("alice")) as s:
        text = await fails(s, "nc_shopping_list_get_lists", {}, "Shopping List app is not installed or not enabled for you")
        assert "occ app:enable shopping_list" in text
        # cached per user: a second tool gets the same answer
        await fails(s, "nc_shopping_list_get_items", {"list_id": 4}, "not installed or not enabled")


@pytest.mark.parametrize("mode", MODES)
async def test_add_recipe_scales_merges_and_detects_areas(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        # Baked bananas (Cookbook fake, yield 4) for 8 servings: every amount doubled
        done = await ok(s, "shopping_list_add_recipe", {"recipe_id": 123, "list_id": 4, "servings": 8})
        assert done["scale"] == 2 and done["added"] == 3 and done["merged"] == 1 and done["failed"] == 0
        by_line = {r["ingredient"]: r for r in done["results"]}
        bananas = by_line["4 bananas"]["item"]
        assert bananas["name"] == "bananas" and bananas["quantity"] == "8" and bananas["area"] == "Produce"
        butter = by_line["2 tbsp butter"]["item"]
        assert (butter["quantity"], butter["unit"], butter["area"]) == ("4", "tbsp", "Dairy")
        eggs = by_line["2 eggs"]
        assert eggs["action"] == "merged" and eggs["item"]["id"] == 32 and eggs["item"]["quantity"] == "5"
        # Pancakes has no yield: as written; flour in g does not merge with flour in cups, checked milk is not reused
        pancakes = await ok(s, "shopping_list_add_recipe", {"recipe_id": 300, "list_id": 4})
        acts = {r["ingredient"]: (r["action"], r["item"]["quantity"], r["item"]["unit"]) for r in pancakes["results"]}
        assert acts["200 g flour"] == ("added", "200", "g") and acts["2 eggs"] == ("merged", "7", None)
        assert acts["300 ml milk"] == ("added", "300", "ml") and acts["salt"][0] == "added"
        separate = await ok(s, "shopping_list_add_recipe", {"recipe_id": 300, "list_id": 4, "merge": False})
        assert separate["added"] == 4 and separate["merged"] == 0
        await fails(s, "shopping_list_add_recipe", {"recipe_id": 300, "list_id": 4, "servings": 2}, "no yield")
        await fails(s, "shopping_list_add_recipe", {"recipe_id": 123, "list_id": 4, "servings": 0}, "servings")
        await fails(s, "shopping_list_add_recipe", {"recipe_id": 999, "list_id": 4}, "recipe 999 not found")
        await fails(s, "shopping_list_add_recipe", {"recipe_id": 123, "list_id": 9}, "No write access")
        await fails(s, "shopping_list_add_recipe", {"recipe_id": 123, "list_id": 10}, "List not found")
    items = [i for i in fake_state(nextcloud, "shopping_list")["items"].values() if i["listId"] == 4]
    assert sum(1 for i in items if i["name"] == "eggs") == 2 and len(items) == 3 + 3 + 3 + 4


async def test_add_recipe_needs_cookbook(nextcloud, oidc_peer, mcp_server):
    nextcloud.set_apps(["notes", "shopping_list"])
    server = mcp_server()
    async with mcp_session(server.url, oidc_peer.mint("alice")) as s:
        await fails(s, "shopping_list_add_recipe", {"recipe_id": 123, "list_id": 4}, "Cookbook app is not installed")
