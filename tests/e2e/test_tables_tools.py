"""Tables toolset (issue 7) through the official MCP SDK, as an OAuth user and in basic mode, against the
Tables contract fake (seeded table 3 "Todo list" of alice): every tool's main path and a failure path,
row data validated against the columns before anything is sent, results keyed by column title."""

from __future__ import annotations

import pytest

from tests.e2e.toolset_servers import MODES, fails, ok, session_for

pytestmark = pytest.mark.e2e

TABLES_TOOLS = {"nc_tables_list_tables", "nc_tables_get_schema", "nc_tables_read_table", "nc_tables_insert_row",
                "nc_tables_update_row", "nc_tables_delete_row"}


def writes(nextcloud) -> list[str]:
    return [r for r in nextcloud.stats()["routes"] if r.split()[0] in ("POST", "PUT", "DELETE") and "/tables/" in r]


@pytest.mark.parametrize("mode", MODES)
async def test_list_schema_and_read(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        tools = {t.name: t for t in (await s.list_tools()).tools}
        assert TABLES_TOOLS <= set(tools)
        for name in TABLES_TOOLS:
            a = tools[name].annotations
            assert None not in (a.readOnlyHint, a.destructiveHint, a.idempotentHint, a.openWorldHint)

        listed = await ok(s, "nc_tables_list_tables")
        assert listed["total"] == 1 and listed["tables"][0]["title"] == "Todo list"
        assert listed["tables"][0]["rowsCount"] == 2

        schema = await ok(s, "nc_tables_get_schema", {"table_id": 3})
        assert [c["title"] for c in schema["columns"]] == ["Task", "Count", "State", "Due", "Urgent"]
        state = next(c for c in schema["columns"] if c["title"] == "State")
        assert [o["label"] for o in state["selectionOptions"]] == ["Open", "Done"]  # decoded from a JSON string
        assert schema["views"][0]["title"] == "Open tasks"
        await fails(s, "nc_tables_get_schema", {"table_id": 99}, "404", "/apps/tables/api/1/tables/99/scheme")

        page = await ok(s, "nc_tables_read_table", {"table_id": 3, "limit": 1})
        assert page["count"] == 1 and page["has_more"] and page["notes"]
        assert page["rows"][0]["values"] == {"Task": "Buy milk", "Count": 2, "State": "Open"}
        assert page["columns"]["12"] == "Task"
        rest = await ok(s, "nc_tables_read_table", {"table_id": 3, "offset": 1})
        assert rest["count"] == 1 and not rest["has_more"]
        assert rest["rows"][0]["values"] == {"Task": "Call Bob", "State": "Done", "Urgent": "true"}
        await fails(s, "nc_tables_read_table", {"table_id": 3, "limit": 0}, "limit")
        await fails(s, "nc_tables_read_table", {"table_id": 99}, "404")


@pytest.mark.parametrize("mode", MODES)
async def test_insert_update_delete(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        row = await ok(s, "nc_tables_insert_row", {"table_id": 3, "data": {
            "Task": "Write report", "13": 5, "state": "done", "Due": "2025-03-01", "Urgent": True}})
        assert row["values"] == {"Task": "Write report", "Count": 5, "State": "Done", "Due": "2025-03-01", "Urgent": "true"}
        assert row["table_id"] == 3 and row["created_by"] == "alice"

        nextcloud.reset_stats()
        await fails(s, "nc_tables_insert_row", {"table_id": 3, "data": {"Task": "x", "Priority": 1}},
                    "unknown column `Priority`", '12 "Task" (text-line)')
        await fails(s, "nc_tables_insert_row", {"table_id": 3, "data": {"Task": "x", "Count": "many"}},
                    "expects a number")
        await fails(s, "nc_tables_insert_row", {"table_id": 3, "data": {"Task": "x", "State": "Maybe"}},
                    '1 "Open"')
        await fails(s, "nc_tables_insert_row", {"table_id": 3, "data": {"Count": 1}}, "mandatory", "Task")
        await fails(s, "nc_tables_insert_row", {"table_id": 3, "data": {"Task": "x", "Due": "March"}}, "YYYY-MM-DD")
        assert writes(nextcloud) == [], "invalid data reached Nextcloud"

        updated = await ok(s, "nc_tables_update_row", {"row_id": row["id"], "data": {"Count": 6, "State": 1}})
        assert updated["values"]["Count"] == 6 and updated["values"]["State"] == "Open"
        assert updated["values"]["Task"] == "Write report"  # untouched cells kept
        await fails(s, "nc_tables_update_row", {"row_id": row["id"], "data": {"Count": -3}}, "from 0")
        await fails(s, "nc_tables_update_row", {"row_id": 9999, "data": {"Count": 1}}, "404")

        deleted = await ok(s, "nc_tables_delete_row", {"row_id": row["id"]})
        assert deleted["id"] == row["id"] and deleted["values"]["Task"] == "Write report"
        await fails(s, "nc_tables_delete_row", {"row_id": row["id"]}, "404")


async def test_other_users_table_is_forbidden(servers, nextcloud, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer, user="bob") as s:
        assert (await ok(s, "nc_tables_list_tables"))["total"] == 0
        await fails(s, "nc_tables_read_table", {"table_id": 3}, "403")
