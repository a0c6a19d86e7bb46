"""nc_unified_search (issue 15 §4): Nextcloud's unified search through the contract fake's providers
(files, notes, settings), with provider filter, paging cursor, clear errors, and files hidden by
`toolsets.files.excluded_tags` left out."""

from __future__ import annotations

import pytest

from tests.e2e.toolkit import fails, ok, session_as

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("mode", ["oauth", "basic"])
async def test_search_finds_files_and_notes_with_links(mcp_server, mint_token, nextcloud, mode):
    nextcloud.set_apps(["notes"])
    async with session_as(mode, mcp_server, mint_token) as s:
        found = await ok(s, "nc_unified_search", {"query": "plan"})
        by_provider = {(r["provider"], r["title"]) for r in found["results"]}
        assert ("files", "Plan.md") in by_provider, found
        assert ("notes", "Plan") in by_provider, found
        plan_file = next(r for r in found["results"] if r["provider"] == "files")
        assert plan_file["path"] == "Notes/Work/Plan.md"
        assert plan_file["subline"] == "in Notes/Work"
        assert "/index.php/f/" in plan_file["url"]
        note = next(r for r in found["results"] if r["provider"] == "notes")
        assert note["url"].endswith("/index.php/apps/notes/note/2") and "path" not in note
        assert [p["id"] for p in found["providers"]] == ["files", "notes", "settings"]
        assert found["hidden"] == 0
    stats = nextcloud.stats()
    assert any("/search/providers/notes/search" in route for route in stats["routes"]), stats["routes"]


async def test_provider_filter_and_cursor_page_through_one_provider(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        first = await ok(s, "nc_unified_search", {"query": ".md", "providers": ["files"], "limit": 1})
        assert [p["id"] for p in first["providers"]] == ["files"]
        assert len(first["results"]) == 1
        cursor = first["providers"][0]["next_cursor"]
        assert cursor == "1"
        second = await ok(s, "nc_unified_search",
                          {"query": ".md", "providers": ["files"], "limit": 1, "cursor": cursor})
        assert len(second["results"]) == 1
        assert second["results"][0]["path"] != first["results"][0]["path"]
        titles = {first["results"][0]["title"], second["results"][0]["title"]}
        assert titles == {"Shopping.md", "Plan.md"}


async def test_bad_arguments_get_clear_errors_and_call_nothing(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await fails(s, "nc_unified_search", {"query": "x", "providers": ["files", "nope"]}, "nope", "files")
        await fails(s, "nc_unified_search", {"query": "x", "cursor": "5"}, "exactly one")
        await fails(s, "nc_unified_search", {"query": "   "}, "query")
        await fails(s, "nc_unified_search", {"query": "x", "limit": 500}, "limit")
    routes = nextcloud.stats()["routes"]
    assert not any(route.endswith("/search") for route in routes), routes


async def test_files_hidden_by_excluded_tags_are_left_out(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_tag_file", {"path": "Documents", "tag": "confidential"})
        visible = await ok(s, "nc_unified_search", {"query": "report", "providers": ["files"]})
        assert [r["path"] for r in visible["results"]] == ["Documents/report.pdf"]
    async with session_as("oauth", mcp_server, mint_token,
                          config={"toolsets": {"files": {"excluded_tags": ["Confidential"]}}}) as s:
        found = await ok(s, "nc_unified_search", {"query": "report"})
        assert not [r for r in found["results"] if "report" in r["title"]], found
        assert found["hidden"] == 1
        docs = await ok(s, "nc_unified_search", {"query": "documents", "providers": ["files"]})
        assert docs["results"] == [] and docs["hidden"] == 1
