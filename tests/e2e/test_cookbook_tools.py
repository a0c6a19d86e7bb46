"""Cookbook toolset (issue 13) through the official MCP SDK, as an OAuth user and in basic mode, against the Cookbook contract
fake: every tool's main path and failure cases, the app's own error text ({msg} and bare strings), update merging into the
stored recipe with the id always in the body, import checked here and the server's refusal passed on, the recipe-folder
guard of set_config, and presence through the capability or (Cookbook < 0.11.5) the version route."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.toolset_servers import MODES, fails, fake_state, ok, served_tools, session_for
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

COOKBOOK_TOOLS = {
    "nc_cookbook_import_recipe", "nc_cookbook_list_recipes", "nc_cookbook_get_recipe", "nc_cookbook_create_recipe",
    "nc_cookbook_update_recipe", "nc_cookbook_delete_recipe", "nc_cookbook_search_recipes",
    "nc_cookbook_list_categories", "nc_cookbook_get_recipes_in_category", "nc_cookbook_list_keywords",
    "nc_cookbook_get_recipes_with_keywords", "nc_cookbook_set_config", "nc_cookbook_reindex",
}
READ = {"nc_cookbook_list_recipes", "nc_cookbook_get_recipe", "nc_cookbook_search_recipes", "nc_cookbook_list_categories",
        "nc_cookbook_get_recipes_in_category", "nc_cookbook_list_keywords", "nc_cookbook_get_recipes_with_keywords"}
DESTRUCTIVE = {"nc_cookbook_delete_recipe", "nc_cookbook_set_config"}


async def test_tools_listed_with_annotations(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        tools = await served_tools(s, "nc_cookbook_", COOKBOOK_TOOLS)
    for name, tool in tools.items():
        assert tool.annotations.readOnlyHint is (name in READ), name
        assert tool.annotations.destructiveHint is (name in DESTRUCTIVE), name
    assert "Nextcloud server" in tools["nc_cookbook_import_recipe"].description
    assert tools["nc_cookbook_import_recipe"].annotations.openWorldHint is True


@pytest.mark.parametrize("mode", MODES)
async def test_read_list_search_categories_keywords(servers, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        listed = await ok(s, "nc_cookbook_list_recipes")
        assert [r["name"] for r in listed["recipes"]] == ["Baked bananas", "Homemade Apple Butter", "Pancakes"]
        assert listed["recipes"][0]["keywords"] == ["banana", "cinnamon", "sweet", "untested recipe"]
        page = await ok(s, "nc_cookbook_list_recipes", {"limit": 1, "offset": 1})
        assert page["count"] == 1 and page["total"] == 3 and page["recipes"][0]["id"] == "267"
        await fails(s, "nc_cookbook_list_recipes", {"limit": 0}, "limit")
        recipe = await ok(s, "nc_cookbook_get_recipe", {"recipe_id": 267})
        assert recipe["recipe"]["recipeYield"] == 20 and recipe["recipe"]["author"]["name"] == "Julie Clark"
        assert "imageUrl" not in recipe["recipe"]
        await fails(s, "nc_cookbook_get_recipe", {"recipe_id": 99999}, "recipe 99999 not found")
        found = await ok(s, "nc_cookbook_search_recipes", {"query": "apple, dessert"})
        assert {r["id"] for r in found["recipes"]} == {"267", "123"}
        assert (await ok(s, "nc_cookbook_search_recipes", {"query": "vanilla"}))["count"] == 0  # ingredients not searched
        await fails(s, "nc_cookbook_search_recipes", {"query": " "}, "query")
        cats = await ok(s, "nc_cookbook_list_categories")
        assert {c["name"]: c["recipe_count"] for c in cats["entries"]} == {"Breakfast": 1, "Dessert": 1, "uncategorized": 1}
        none = await ok(s, "nc_cookbook_get_recipes_in_category", {"category": "uncategorized"})
        assert [r["name"] for r in none["recipes"]] == ["Pancakes"]
        dessert = await ok(s, "nc_cookbook_get_recipes_in_category", {"category": "Dessert"})
        assert [r["id"] for r in dessert["recipes"]] == ["123"]
        kws = await ok(s, "nc_cookbook_list_keywords")
        assert kws["entries"][0] == {"name": "sweet", "recipe_count": 2}
        both = await ok(s, "nc_cookbook_get_recipes_with_keywords", {"keywords": ["sweet", "banana"]})
        assert [r["id"] for r in both["recipes"]] == ["123"]
        await fails(s, "nc_cookbook_get_recipes_with_keywords", {"keywords": ["a,b"]}, "without commas")


@pytest.mark.parametrize("mode", MODES)
async def test_create_update_merges_and_always_sends_the_id(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        created = await ok(s, "nc_cookbook_create_recipe", {
            "name": "Chips", "ingredients": ["1 pack of pre-fried chips"], "instructions": ["Bake"],
            "prep_time": "PT5M", "recipe_yield": 2, "category": "Snacks", "keywords": "kids,quick"})
        rid = created["recipe_id"]
        assert created["recipe"]["recipeCategory"] == "Snacks" and created["recipe"]["recipeYield"] == 2
        text = await fails(s, "nc_cookbook_create_recipe", {"name": "Chips"}, "Another recipe with that name already exists")
        assert "RecipeService.php" not in text  # the app's file/line are never shown
        await fails(s, "nc_cookbook_create_recipe", {"name": "X", "cook_time": "20 minutes"}, "ISO 8601")
        updated = await ok(s, "nc_cookbook_update_recipe", {"recipe_id": rid, "description": "Crispy", "name": "Oven chips"})
        assert updated["recipe_id"] == rid and updated["recipe"]["name"] == "Oven chips"
        # merged: the fields not given are kept
        assert updated["recipe"]["recipeIngredient"] == ["1 pack of pre-fried chips"] and updated["recipe"]["prepTime"] == "PT5M"
        await fails(s, "nc_cookbook_update_recipe", {"recipe_id": rid, "name": "Pancakes"}, "Another recipe with that name")
        await fails(s, "nc_cookbook_update_recipe", {"recipe_id": 4242, "description": "x"}, "recipe 4242 not found")
    state = fake_state(nextcloud, "cookbook")
    puts = [r for r in state["requests"] if r["method"] == "PUT"]
    assert puts and all(r["body"]["id"] == str(r["path_id"]) for r in puts)
    assert len(state["recipes"]) == 4  # no recipe created by an update


@pytest.mark.parametrize("mode", MODES)
async def test_delete_checks_first(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        done = await ok(s, "nc_cookbook_delete_recipe", {"recipe_id": 123})
        assert "Recipe 123 deleted successfully" in done["message"] and "trash bin" in done["message"]
        await fails(s, "nc_cookbook_delete_recipe", {"recipe_id": 123}, "recipe 123 not found")
    deletes = [r for r in fake_state(nextcloud, "cookbook")["requests"] if r["method"] == "DELETE"]
    assert len(deletes) == 1  # the unknown id never reached DELETE (the app would answer 200)


@pytest.mark.parametrize("mode", MODES)
async def test_import_checked_here_and_server_text_passed_on(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        imported = await ok(s, "nc_cookbook_import_recipe", {"url": "https://recipes.example.org/chips"})
        assert imported["recipe"]["name"] == "Oven chips" and imported["recipe_id"] >= 2000
        for bad in ("http://169.254.169.254/latest/meta-data/", "http://localhost:8080/x", "file:///etc/passwd",
                    "https://user:pw@recipes.example.org/x", "http://nas.local/r", "http://[::1]/"):
            await fails(s, "nc_cookbook_import_recipe", {"url": bad}, "url")
        await fails(s, "nc_cookbook_import_recipe", {"url": "https://intranet.example.com/r"},
                    "URL resolves to a local/internal address")
        await fails(s, "nc_cookbook_import_recipe", {"url": "https://recipes.example.org/none"}, "failed as HTTP status code 404")
        await fails(s, "nc_cookbook_import_recipe", {"url": "https://recipes.example.org/apple-butter"},
                    "Another recipe with that name already exists")
    sent = [r["body"]["url"] for r in fake_state(nextcloud, "cookbook")["requests"] if r["method"] == "POST import"]
    assert not any("169.254" in u or "localhost" in u or "nas.local" in u for u in sent)


@pytest.mark.parametrize("mode", MODES)
async def test_set_config_guards_the_folder_and_reindex(servers, nextcloud, oidc_peer, mode):
    auth = ("alice", "alice-app-password")
    with httpx.Client(base_url=f"{nextcloud.url}/remote.php/dav/files/alice", auth=auth) as http:
        assert http.request("MKCOL", "/Data").status_code == 201
        assert http.put("/Data/export.json", content=b"{}").status_code == 201
        assert http.request("MKCOL", "/Empty").status_code == 201
    async with session_for(servers, mode, oidc_peer) as s:
        text = await fails(s, "nc_cookbook_set_config", {"folder": "Data"}, "export.json", "confirm_folder")
        assert "sub-folder" in text
        assert fake_state(nextcloud, "cookbook")["config"]["folder"] == "/Recipes"  # nothing changed
        moved = await ok(s, "nc_cookbook_set_config", {"folder": "/Empty/", "update_interval": 10})
        assert moved["config"]["folder"] == "/Empty" and moved["config"]["update_interval"] == 10
        confirmed = await ok(s, "nc_cookbook_set_config", {"folder": "Data", "confirm_folder": True})
        assert confirmed["config"]["folder"] == "/Data"
        await ok(s, "nc_cookbook_set_config", {"folder": "Brand new"})  # a folder that does not exist yet
        await fails(s, "nc_cookbook_set_config", {}, "nothing to change")
        await fails(s, "nc_cookbook_set_config", {"update_interval": 0}, "update_interval")
        assert (await ok(s, "nc_cookbook_reindex"))["message"] == "Search index rebuilt successfully"


async def test_old_cookbook_without_capability_is_not_hidden(nextcloud, oidc_peer, mcp_server):
    nextcloud.http.post(f"{nextcloud.url}/__fake/cookbook", json={"old": True})
    caps = nextcloud.http.get(f"{nextcloud.url}/ocs/v2.php/cloud/capabilities?format=json",
                              auth=("alice", "alice-app-password"), headers={"OCS-APIRequest": "true"}).json()
    assert "cookbook" not in caps["ocs"]["data"]["capabilities"]
    server = mcp_server()
    async with mcp_session(server.url, oidc_peer.mint("alice")) as s:
        listed = await ok(s, "nc_cookbook_list_recipes")
        assert listed["total"] == 3


async def test_cookbook_absent_is_explained(nextcloud, oidc_peer, mcp_server):
    nextcloud.set_apps(["notes", "deck", "tables", "calendar", "contacts", "spreed", "mail", "news"])
    server = mcp_server()
    async with mcp_session(server.url, oidc_peer.mint("alice")) as s:
        text = await fails(s, "nc_cookbook_list_recipes", {}, "Cookbook app is not installed or not enabled for you")
        assert "occ app:enable cookbook" in text
