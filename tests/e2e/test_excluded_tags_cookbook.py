"""`toolsets.files.excluded_tags` in Cookbook: a recipe is a folder in the Cookbook folder (its id is the folder's
file id) with recipe.json and images. A recipe whose folder carries an excluded tag, or holds a tagged file, is not
listed, searched, read, changed or deleted; the Cookbook folder is not moved onto a folder holding hidden items
(its rescan would move them). A refused call changes nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.toolkit import fails, ok, session_as

pytestmark = pytest.mark.e2e

HIDE = {"toolsets": {"files": {"excluded_tags": ["Confidential"]}}}
BUTTER, BANANAS, PANCAKES = 267, 123, 300


def _ids(listed: dict) -> set[int]:
    return {int(r["id"]) for r in listed["recipes"]}


def _facets(listed: dict) -> dict[str, int]:
    return {e["name"]: e["recipe_count"] for e in listed["entries"]}


async def test_recipes_holding_hidden_files_are_hidden(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_list_directory", {})  # alice's files exist
        r = httpx.post(f"{nextcloud.url}/__fake/cookbook", json={"files_for": "alice"})
        assert r.status_code == 200, r.text
        await ok(s, "nc_webdav_tag_file", {"path": "Recipes/Pancakes", "tag": "confidential"})
        await ok(s, "nc_webdav_write_file", {"path": "Recipes/Homemade Apple Butter/photo.txt", "content": "x"})
        await ok(s, "nc_webdav_tag_file", {"path": "Recipes/Homemade Apple Butter/photo.txt", "tag": "confidential"})
        assert _ids(await ok(s, "nc_cookbook_list_recipes", {})) == {BUTTER, BANANAS, PANCAKES}
    async with session_as("oauth", mcp_server, mint_token, config=HIDE) as s:
        assert _ids(await ok(s, "nc_cookbook_list_recipes", {})) == {BANANAS}
        assert _ids(await ok(s, "nc_cookbook_search_recipes", {"query": "sweet"})) == {BANANAS}
        assert _ids(await ok(s, "nc_cookbook_get_recipes_with_keywords", {"keywords": ["sweet"]})) == {BANANAS}
        assert _ids(await ok(s, "nc_cookbook_get_recipes_in_category", {"category": "Breakfast"})) == set()
        for hidden in (BUTTER, PANCAKES):
            await fails(s, "nc_cookbook_get_recipe", {"recipe_id": hidden}, "not available")
            await fails(s, "nc_cookbook_update_recipe", {"recipe_id": hidden, "description": "x"}, "not available")
            await fails(s, "nc_cookbook_delete_recipe", {"recipe_id": hidden}, "not available")
        assert (await ok(s, "nc_cookbook_get_recipe", {"recipe_id": BANANAS}))["recipe_id"] == BANANAS
        # Counts and names do not tell that hidden recipes exist either.
        assert _facets(await ok(s, "nc_cookbook_list_categories", {})) == {"Dessert": 1}
        assert _facets(await ok(s, "nc_cookbook_list_keywords", {})) == {
            "banana": 1, "cinnamon": 1, "sweet": 1, "untested recipe": 1}
        await fails(s, "nc_cookbook_set_config", {"folder": "Recipes", "confirm_folder": True}, "hides")
    async with session_as("oauth", mcp_server, mint_token) as s:
        assert _ids(await ok(s, "nc_cookbook_list_recipes", {})) == {BUTTER, BANANAS, PANCAKES}
        assert (await ok(s, "nc_cookbook_get_recipe", {"recipe_id": BUTTER}))["recipe"].get("description") != "x"
        assert _facets(await ok(s, "nc_cookbook_list_categories", {})) == {
            "Breakfast": 1, "Dessert": 1, "uncategorized": 1}
        assert _facets(await ok(s, "nc_cookbook_list_keywords", {}))["sweet"] == 2
