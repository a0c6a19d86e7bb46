"""Deck toolset (issue 7) through the official MCP SDK, as an OAuth user and in basic mode, against
the Deck contract fake: every tool's main path and a failure path, filters and projections, comment
splitting, dependent-card gating, resources and the app-absent message."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.e2e.toolset_servers import MODES, call, fails, ok, session_for
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

DECK_TOOLS = {
    "deck_get_boards", "deck_get_board", "deck_get_stacks", "deck_get_stack", "deck_get_archived_stacks",
    "deck_get_cards", "deck_get_board_overview", "deck_get_card", "deck_get_labels", "deck_get_label",
    "deck_create_board", "deck_create_stack", "deck_update_stack", "deck_delete_stack", "deck_create_card",
    "deck_update_card", "deck_delete_card", "deck_archive_card", "deck_unarchive_card", "deck_reorder_card",
    "deck_move_card_to_board", "deck_create_label", "deck_update_label", "deck_delete_label",
    "deck_assign_label_to_card", "deck_remove_label_from_card", "deck_assign_user_to_card",
    "deck_unassign_user_from_card", "deck_assign_dependent_card", "deck_remove_dependent_card",
    "deck_get_card_comments", "deck_create_card_comment", "deck_update_card_comment", "deck_delete_card_comment",
    "deck_attach_file", "deck_attach_note", "deck_list_attachments", "deck_delete_attachment",
}


async def board_with_stacks(s) -> tuple[int, int, int]:
    board = await ok(s, "deck_create_board", {"title": "Project", "color": "0082c9"})
    todo = await ok(s, "deck_create_stack", {"board_id": board["id"], "title": "To do", "order": 1})
    doing = await ok(s, "deck_create_stack", {"board_id": board["id"], "title": "Doing", "order": 2})
    return board["id"], todo["id"], doing["id"]


async def test_tools_listed_with_annotations(servers, nextcloud, oidc_peer, mcp_server):
    async with session_for(servers, "oauth", oidc_peer) as s:
        tools = {t.name: t for t in (await s.list_tools()).tools}
    assert DECK_TOOLS <= set(tools), DECK_TOOLS - set(tools)
    assert len([n for n in tools if n.startswith("deck_")]) == 38
    for name in DECK_TOOLS:
        a = tools[name].annotations
        assert None not in (a.readOnlyHint, a.destructiveHint, a.idempotentHint, a.openWorldHint), name
        assert tools[name].outputSchema, name
        for prop, schema in tools[name].inputSchema.get("properties", {}).items():
            assert schema.get("description") or "$ref" in schema or "allOf" in schema, (name, prop)
    read_only = mcp_server({"toolsets": {"read_only": True, "enabled": ["deck"]}})
    async with mcp_session(read_only.url, oidc_peer.mint("alice")) as s:
        names = {t.name for t in (await s.list_tools()).tools}
    assert names == {n for n in DECK_TOOLS if tools[n].annotations.readOnlyHint}
    assert "deck_get_board_overview" in names and "deck_create_card" not in names


@pytest.mark.parametrize("mode", MODES)
async def test_boards_stacks_and_cards(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        await fails(s, "deck_create_board", {"title": "X", "color": "blue"}, "invalid argument `color`")
        board_id, todo, doing = await board_with_stacks(s)
        boards = await ok(s, "deck_get_boards")
        assert [b["title"] for b in boards["boards"]] == ["Project"] and boards["total"] == 1
        board = await ok(s, "deck_get_board", {"board_id": board_id, "include_acl": False})
        assert "acl" not in board and len(board["labels"]) == 4 and board["owner"]["uid"] == "alice"
        await fails(s, "deck_get_board", {"board_id": 999}, "GET /index.php/apps/deck/api/v1.0/boards/999", "404")

        await fails(s, "deck_create_stack", {"board_id": board_id, "title": " ", "order": 3}, "title")
        renamed = await ok(s, "deck_update_stack", {"board_id": board_id, "stack_id": doing, "title": "In progress"})
        assert renamed["title"] == "In progress" and renamed["order"] == 2
        await fails(s, "deck_update_stack", {"board_id": board_id, "stack_id": doing}, "give a new title or order")

        card = await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "Write spec",
                                                 "description": "A long description " * 20,
                                                 "duedate": "2020-01-02T10:00:00+00:00"})
        assert card["owner"]["uid"] == "alice"  # Deck answered with the owner as a plain string
        await fails(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "x", "duedate": "soon"},
                    "duedate")
        other = await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "Review"})
        got = await ok(s, "deck_get_card", {"board_id": board_id, "stack_id": todo, "card_id": card["id"]})
        assert got["ETag"] and got["duedate"].startswith("2020-01-02")
        await fails(s, "deck_get_card", {"board_id": board_id, "stack_id": todo, "card_id": 4242}, "404")

        # Read-merge-write: only the title changes, the rest is kept.
        updated = await ok(s, "deck_update_card", {"board_id": board_id, "stack_id": todo, "card_id": card["id"],
                                                    "title": "Write the spec"})
        assert updated["title"] == "Write the spec"
        assert updated["description"].startswith("A long description") and updated["duedate"] == got["duedate"]
        assert updated["order"] == got["order"]
        done = await ok(s, "deck_update_card", {"board_id": board_id, "stack_id": todo, "card_id": other["id"], "done": True})
        assert done["done"]
        await fails(s, "deck_update_card", {"board_id": board_id, "stack_id": todo, "card_id": card["id"]}, "nothing to change")

        stacks = await ok(s, "deck_get_stacks", {"board_id": board_id})
        assert [st["title"] for st in stacks["stacks"]] == ["To do", "In progress"]
        shown = stacks["stacks"][0]["cards"]
        assert [c["title"] for c in shown] == ["Write the spec"] and stacks["cards_hidden"] == 1
        assert shown[0]["description_truncated"] and len(shown[0]["description_preview"]) <= 141
        assert any("hidden by the filters" in n for n in stacks["notes"])
        assert any("shortened" in n for n in stacks["notes"])
        only_done = await ok(s, "deck_get_stacks", {"board_id": board_id, "status": "done", "include_cards": False})
        assert only_done["stacks"][0]["card_count"] == 1 and "cards" not in only_done["stacks"][0]
        full = await ok(s, "deck_get_stacks", {"board_id": board_id, "detail": "full", "description_max_length": 10})
        assert full["stacks"][0]["cards"][0]["description"].endswith("…")
        await fails(s, "deck_get_stacks", {"board_id": board_id, "status": "closed"})

        stack = await ok(s, "deck_get_stack", {"board_id": board_id, "stack_id": todo, "status": "all"})
        assert stack["stack"]["card_count"] == 2
        await fails(s, "deck_get_stack", {"board_id": board_id, "stack_id": 777}, "404")
        cards = await ok(s, "deck_get_cards", {"board_id": board_id, "stack_id": todo, "status": "all", "detail": "full"})
        assert cards["total"] == 2 and cards["cards"][0]["owner"] == "alice"
        await fails(s, "deck_get_cards", {"board_id": 31337, "stack_id": todo}, "404")

        overview = await ok(s, "deck_get_board_overview", {"board_id": board_id})
        assert overview["board"]["title"] == "Project" and overview["counts"]["overdue"] == 1
        assert overview["counts"]["cards_shown"] == 1 and overview["counts"]["cards_hidden"] == 1
        await fails(s, "deck_get_board_overview", {"board_id": 31337}, "404")

        # Move to another stack of the board, at the top.
        moved = await ok(s, "deck_reorder_card", {"board_id": board_id, "stack_id": todo, "card_id": card["id"],
                                                   "order": 0, "target_stack_id": doing})
        assert moved["stackId"] == doing and moved["order"] == 0
        await fails(s, "deck_reorder_card", {"board_id": board_id, "stack_id": todo, "card_id": card["id"],
                                             "order": 0, "target_stack_id": doing}, "404")

        archived = await ok(s, "deck_archive_card", {"board_id": board_id, "stack_id": doing, "card_id": card["id"]})
        assert archived["archived"] is True
        await fails(s, "deck_update_card", {"board_id": board_id, "stack_id": doing, "card_id": card["id"],
                                            "title": "nope"}, "archived")
        arch = await ok(s, "deck_get_archived_stacks", {"board_id": board_id})
        assert arch["cards_shown"] == 1 and arch["stacks"][1]["cards"][0]["id"] == card["id"]
        await fails(s, "deck_get_archived_stacks", {"board_id": 31337}, "404")
        await fails(s, "deck_archive_card", {"board_id": board_id, "stack_id": doing, "card_id": 31337}, "404")
        back = await ok(s, "deck_unarchive_card", {"board_id": board_id, "stack_id": doing, "card_id": card["id"]})
        assert back["archived"] is False
        await fails(s, "deck_unarchive_card", {"board_id": board_id, "stack_id": todo, "card_id": card["id"]}, "404")

        assert (await ok(s, "deck_delete_card", {"board_id": board_id, "stack_id": doing, "card_id": card["id"]}))["success"]
        await fails(s, "deck_delete_card", {"board_id": board_id, "stack_id": doing, "card_id": card["id"]}, "404")
        assert (await ok(s, "deck_delete_stack", {"board_id": board_id, "stack_id": doing}))["success"]
        await fails(s, "deck_delete_stack", {"board_id": board_id, "stack_id": doing}, "404")


@pytest.mark.parametrize("mode", MODES)
async def test_labels_and_assignments(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        board_id, todo, _ = await board_with_stacks(s)
        card = await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "Task"})
        ref = {"board_id": board_id, "stack_id": todo, "card_id": card["id"]}
        labels = await ok(s, "deck_get_labels", {"board_id": board_id})
        assert labels["total"] == 4 and labels["labels"][0]["boardId"] == board_id
        await fails(s, "deck_get_labels", {"board_id": 31337}, "404")
        first = labels["labels"][0]
        label = await ok(s, "deck_get_label", {"board_id": board_id, "label_id": first["id"]})
        assert label["title"] == first["title"]
        await fails(s, "deck_get_label", {"board_id": board_id, "label_id": 31337}, "404")
        bug = await ok(s, "deck_create_label", {"board_id": board_id, "title": "Bug", "color": "#ff0000"})
        assert bug["color"] == "ff0000"
        await fails(s, "deck_create_label", {"board_id": board_id, "title": "Bug", "color": "00ff00"}, "400", "already exists")
        renamed = await ok(s, "deck_update_label", {"board_id": board_id, "label_id": bug["id"], "title": "Defect"})
        assert renamed == {**bug, "title": "Defect"}
        await fails(s, "deck_update_label", {"board_id": board_id, "label_id": bug["id"], "color": "red"}, "color")

        assert (await ok(s, "deck_assign_label_to_card", {**ref, "label_id": bug["id"]}))["success"]
        await fails(s, "deck_assign_label_to_card", {**ref, "label_id": 31337}, "400")
        filtered = await ok(s, "deck_get_stacks", {"board_id": board_id, "label": "defect"})
        assert filtered["cards_shown"] == 1
        assert (await ok(s, "deck_remove_label_from_card", {**ref, "label_id": bug["id"]}))["success"]
        await fails(s, "deck_remove_label_from_card", {**ref, "label_id": 31337}, "400")
        assert (await ok(s, "deck_delete_label", {"board_id": board_id, "label_id": bug["id"]}))["success"]
        await fails(s, "deck_delete_label", {"board_id": board_id, "label_id": bug["id"]}, "404")

        assert (await ok(s, "deck_assign_user_to_card", {**ref, "user_id": "alice"}))["success"]
        await fails(s, "deck_assign_user_to_card", {**ref, "user_id": "alice"}, "already assigned")
        mine = await ok(s, "deck_get_stacks", {"board_id": board_id, "assigned_to": "alice"})
        assert mine["cards_shown"] == 1
        nobody = await ok(s, "deck_get_stacks", {"board_id": board_id, "assigned_to": "bob"})
        assert nobody["cards_shown"] == 0 and nobody["notes"]
        assert (await ok(s, "deck_unassign_user_from_card", {**ref, "user_id": "alice"}))["success"]
        await fails(s, "deck_unassign_user_from_card", {**ref, "user_id": "bob"}, "404", "No assignment")


@pytest.mark.parametrize("mode", MODES)
async def test_dependent_cards(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        board_id, todo, _ = await board_with_stacks(s)
        a = await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "A"})
        b = await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "B"})
        ref = {"board_id": board_id, "stack_id": todo, "card_id": a["id"]}
        assert (await ok(s, "deck_assign_dependent_card", {**ref, "dependent_card_id": b["id"]}))["success"]
        card = await ok(s, "deck_get_card", ref)
        assert card["dependentCards"] == [b["id"]]
        await fails(s, "deck_assign_dependent_card", {**ref, "dependent_card_id": a["id"]}, "cannot depend on itself")
        assert (await ok(s, "deck_remove_dependent_card", {**ref, "dependent_card_id": b["id"]}))["success"]
        await fails(s, "deck_remove_dependent_card", {**ref, "dependent_card_id": b["id"]}, "404")


async def test_dependent_cards_refused_on_older_deck(servers, nextcloud, oidc_peer, http):
    http.post(f"{nextcloud.url}/__fake/deck", json={"version": "1.14.2"}).raise_for_status()
    async with session_for(servers, "oauth", oidc_peer, user="bob") as s:
        board_id, todo, _ = await board_with_stacks(s)
        a = await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "A"})
        ref = {"board_id": board_id, "stack_id": todo, "card_id": a["id"], "dependent_card_id": a["id"] + 1}
        await fails(s, "deck_assign_dependent_card", ref, "need Deck 1.18.0", "Deck 1.14.2")
        await fails(s, "deck_remove_dependent_card", ref, "need Deck 1.18.0")
    assert not any("dependentCards" in r for r in nextcloud.stats()["routes"])


@pytest.mark.parametrize("mode", MODES)
async def test_comments_limit_and_split(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        board_id, todo, _ = await board_with_stacks(s)
        card = (await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "Talk"}))["id"]
        first = await ok(s, "deck_create_card_comment", {"card_id": card, "message": "Hello @bob"})
        assert first["parts"] == 1 and not first["split"] and first["comments"][0]["message"] == "Hello @bob"
        first_id = first["comments"][0]["id"]
        reply = await ok(s, "deck_create_card_comment", {"card_id": card, "message": "Reply", "parent_id": first_id})
        assert reply["comments"][0]["id"] > first_id

        long = "\n\n".join(f"Paragraph {i}. " + "ünïcödé words here " * 40 + "cc @alice." for i in range(3))
        text = await fails(s, "deck_create_card_comment", {"card_id": card, "message": long}, "overflow='split'")
        assert str(len(long)) in text
        split = await ok(s, "deck_create_card_comment", {"card_id": card, "message": long, "overflow": "split"})
        parts = split["comments"]
        assert split["split"] and split["parts"] == len(parts) >= 3
        assert all(len(p["message"]) <= 1000 for p in parts)
        assert [p["message"][: len(f"({i}/{len(parts)}) ")] for i, p in enumerate(parts, 1)] == \
            [f"({i}/{len(parts)}) " for i in range(1, len(parts) + 1)]
        assert all("@alice" in p["message"] for p in parts)  # each paragraph ends with the mention, kept whole
        await fails(s, "deck_create_card_comment", {"card_id": card, "message": "w " * 6000, "overflow": "split"},
                    "at most 10 parts")
        await fails(s, "deck_create_card_comment", {"card_id": 31337, "message": "hi"}, "404")

        listed = await ok(s, "deck_get_card_comments", {"card_id": card, "limit": 2})
        assert listed["count"] == 2 and listed["has_more"] and listed["comments"][0]["id"] == parts[-1]["id"]
        assert listed["comments"][0]["reply_to"] == parts[0]["id"]
        oldest = await ok(s, "deck_get_card_comments", {"card_id": card, "order": "oldest", "limit": 1,
                                                         "detail": "full", "message_max_length": 5})
        c0 = oldest["comments"][0]
        assert c0["id"] == first_id and c0["message"] == "Hello…" and c0["mentions"] == ["bob"] and oldest["notes"]
        await fails(s, "deck_get_card_comments", {"card_id": card, "limit": 0}, "limit")

        edited = await ok(s, "deck_update_card_comment", {"card_id": card, "comment_id": first_id, "message": "Hi @bob"})
        assert edited["message"] == "Hi @bob" and edited["id"] == first_id
        await fails(s, "deck_update_card_comment", {"card_id": card, "comment_id": first_id, "message": "x" * 1001},
                    "at most 1000")
        assert (await ok(s, "deck_delete_card_comment", {"card_id": card, "comment_id": first_id}))["success"]
        await fails(s, "deck_delete_card_comment", {"card_id": card, "comment_id": first_id}, "404")


@pytest.mark.parametrize("mode", MODES)
async def test_attachments(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        board_id, todo, _ = await board_with_stacks(s)
        card = (await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "Files"}))["id"]
        ref = {"board_id": board_id, "stack_id": todo, "card_id": card}
        attached = await ok(s, "deck_attach_file", {"card_id": card, "path": "Documents/report.pdf"})
        assert attached["path"] == "/Documents/report.pdf" and attached["share_id"]
        await fails(s, "deck_attach_file", {"card_id": card, "path": "/Documents/missing.pdf"}, "404", "does not exist")
        await fails(s, "deck_attach_file", {"card_id": card, "path": "/a/../etc/passwd"}, "..")
        note = await ok(s, "deck_attach_note", {"card_id": card, "note_id": 2})
        assert note["path"] == "/Notes/Work/Plan.md"
        await fails(s, "deck_attach_note", {"card_id": card, "note_id": 99}, "404")
        listed = await ok(s, "deck_list_attachments", ref)
        assert listed["total"] == 2 and {a["data"] for a in listed["attachments"]} == {"report.pdf", "Plan.md"}
        assert listed["attachments"][0]["type"] == "file"
        await fails(s, "deck_list_attachments", {**ref, "card_id": 31337}, "404")
        gone = await ok(s, "deck_delete_attachment", {**ref, "attachment_id": listed["attachments"][0]["id"]})
        assert gone["success"]
        await fails(s, "deck_delete_attachment", {**ref, "attachment_id": listed["attachments"][0]["id"]},
                    "no attachment")


@pytest.mark.parametrize("mode", MODES)
async def test_move_card_to_board(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        source, todo, _ = await board_with_stacks(s)
        target = await ok(s, "deck_create_board", {"title": "Other", "color": "ff0000"})
        inbox = await ok(s, "deck_create_stack", {"board_id": target["id"], "title": "Inbox", "order": 0})
        card = await ok(s, "deck_create_card", {"board_id": source, "stack_id": todo, "title": "Traveller",
                                                 "description": "keep", "duedate": "2030-01-01T00:00:00+00:00"})
        label = (await ok(s, "deck_get_labels", {"board_id": source}))["labels"][0]
        await ok(s, "deck_assign_label_to_card", {"board_id": source, "stack_id": todo, "card_id": card["id"],
                                                  "label_id": label["id"]})
        await ok(s, "deck_update_card", {"board_id": source, "stack_id": todo, "card_id": card["id"], "done": True})
        args = {"source_board_id": source, "source_stack_id": todo, "card_id": card["id"],
                "target_board_id": target["id"], "target_stack_id": todo}
        await fails(s, "deck_move_card_to_board", args, "403")  # the stack is not on the target board
        moved = await ok(s, "deck_move_card_to_board", {**args, "target_stack_id": inbox["id"]})
        assert moved["board_id"] == target["id"] and moved["card"]["stackId"] == inbox["id"]
        assert moved["card"]["description"] == "keep" and moved["card"]["done"]
        assert moved["card"]["duedate"].startswith("2030-01-01")
        assert any(label["title"] in n for n in moved["notes"])
        there = await ok(s, "deck_get_cards", {"board_id": target["id"], "stack_id": inbox["id"], "status": "all"})
        assert [c["title"] for c in there["cards"]] == ["Traveller"]


@pytest.mark.parametrize("mode", MODES)
async def test_resources(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        board_id, todo, _ = await board_with_stacks(s)
        card = await ok(s, "deck_create_card", {"board_id": board_id, "stack_id": todo, "title": "R"})
        label = (await ok(s, "deck_get_labels", {"board_id": board_id}))["labels"][0]
        listed = [str(r.uri) for r in (await s.list_resources()).resources]
        assert "nc://Deck/boards" in listed
        templates = {t.uriTemplate for t in (await s.list_resource_templates()).resourceTemplates}
        assert "nc://Deck/boards/{board_id}/stacks/{stack_id}/cards/{card_id}" in templates and len(templates) >= 7

        async def read(uri):
            result = await s.read_resource(uri)
            return json.loads(result.contents[0].text)

        base = f"nc://Deck/boards/{board_id}"
        assert [b["id"] for b in await read("nc://Deck/boards")] == [board_id]
        assert (await read(base))["title"] == "Project"
        assert len(await read(f"{base}/stacks")) == 2
        assert (await read(f"{base}/stacks/{todo}"))["title"] == "To do"
        assert [c["title"] for c in await read(f"{base}/stacks/{todo}/cards")] == ["R"]
        assert (await read(f"{base}/stacks/{todo}/cards/{card['id']}"))["title"] == "R"
        assert len(await read(f"{base}/labels")) == 4
        assert (await read(f"{base}/labels/{label['id']}"))["title"] == label["title"]
        with pytest.raises(Exception, match="404|not found|Not found"):
            await read("nc://Deck/boards/31337")


async def test_app_absent_is_said_clearly(servers, nextcloud, oidc_peer, http):
    http.post(f"{nextcloud.url}/__fake/apps", json={"disable": ["deck", "tables"]}).raise_for_status()
    async with session_for(servers, "oauth", oidc_peer, user="dave") as s:
        text = await fails(s, "deck_get_boards", {}, "Deck app is not installed", "occ app:enable deck")
        assert "404" not in text
        await fails(s, "deck_create_card", {"board_id": 1, "stack_id": 1, "title": "x"}, "not installed")
        await fails(s, "nc_tables_list_tables", {}, "Tables app is not installed")
        with pytest.raises(Exception, match="not installed"):
            await s.read_resource("nc://Deck/boards")
    routes = nextcloud.stats()["routes"]
    assert not any("/apps/deck/" in r or "/apps/tables/" in r for r in routes), routes


def test_fake_quirks(nextcloud, http):
    """The fake keeps Deck's documented quirks (what the tools above must cope with)."""
    auth = ("alice", "alice-app-password")
    base = f"{nextcloud.url}/index.php/apps/deck/api/v1.0"
    headers = {"OCS-APIRequest": "true", "Accept": "application/json"}
    board = http.post(f"{base}/boards", json={"title": "Q", "color": "ff0000"}, auth=auth, headers=headers).json()
    assert isinstance(board["labels"][0]["boardId"], int)
    got = http.get(f"{base}/boards/{board['id']}", auth=auth, headers=headers)
    assert got.headers["ETag"] == f'"{got.json()["ETag"]}"' and isinstance(got.json()["labels"][0]["boardId"], str)
    assert http.get(f"{base}/boards/{board['id']}", auth=auth, headers={**headers, "If-None-Match": got.headers["ETag"]}).status_code == 304
    stack = http.post(f"{base}/boards/{board['id']}/stacks", json={"title": "S", "order": 1}, auth=auth, headers=headers).json()
    card = http.post(f"{base}/boards/{board['id']}/stacks/{stack['id']}/cards", json={"title": "C", "description": "d"},
                     auth=auth, headers=headers).json()
    assert card["owner"] == "alice"
    bad = http.put(f"{base}/boards/{board['id']}/stacks/{stack['id']}/cards/{card['id']}", json={"type": "plain"},
                   auth=auth, headers=headers)
    assert bad.status_code == 400 and bad.json() == {"status": 400, "message": "title must be provided"}
    partial = http.put(f"{base}/boards/{board['id']}/stacks/{stack['id']}/cards/{card['id']}",
                       json={"title": "C", "type": "plain", "owner": "alice"}, auth=auth, headers=headers).json()
    assert partial["description"] == ""  # a partial payload loses fields
    other = http.get(f"{base}/boards/{board['id']}", auth=("bob", "bob-app-password"), headers=headers)
    assert other.status_code == 403 and other.json() == {"status": 403, "message": "Permission denied"}
    ocs = f"{nextcloud.url}/ocs/v2.php/apps/deck/api/v1.0/cards/{card['id']}/comments"
    too_long = http.post(ocs, json={"message": "é" * 1001}, auth=auth, headers=headers)
    assert too_long.status_code == 400 and "1000" in too_long.json()["ocs"]["meta"]["message"]
    fits = http.post(ocs, json={"message": "é" * 1000}, auth=auth, headers=headers).json()["ocs"]["data"]
    assert isinstance(fits["id"], str)
    assert httpx.get(f"{base}/boards", auth=auth).status_code == 200
