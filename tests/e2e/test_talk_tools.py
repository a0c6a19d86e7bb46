"""Talk toolset (issue 12) through the official MCP SDK, as an OAuth user and in basic mode, against the Talk
contract fake: every tool's main path and its failure cases, header paging and 304, no long-poll and no read-marker
side effects, PHP [] maps, token validation without guessing, brute-force 429, sharing a file (honouring
excluded_tags), the app-absent message."""

from __future__ import annotations

import json

import pytest

from tests.e2e.toolset_servers import MODES, fails, ok, served_tools, session_for
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

TALK_TOOLS = {
    "talk_list_conversations", "talk_get_conversation", "talk_get_messages", "talk_list_participants",
    "talk_send_message", "talk_mark_as_read", "talk_create_conversation", "talk_add_participant",
    "talk_list_reactions", "talk_react", "talk_remove_reaction", "talk_get_unread_messages", "talk_share_file",
}
APOLLO = "k4x9qj2m"
HIDDEN_FILE = "📎 (a file this server hides)"
CHAT = f"/ocs/v2.php/apps/spreed/api/v1/chat/{APOLLO}"


def routes(nextcloud, prefix: str) -> dict[str, int]:
    return {k: v for k, v in nextcloud.stats()["routes"].items() if prefix in k}


def chat_queries(nextcloud) -> list[dict]:
    return nextcloud.http.get(f"{nextcloud.url}/__fake/talk/chat-queries").json()


def talk_features_off(nextcloud, *features: str) -> None:
    nextcloud.http.post(f"{nextcloud.url}/__fake/talk/features", json={"disable": list(features)}).raise_for_status()


async def test_tools_listed_with_annotations(servers, oidc_peer, mcp_server):
    async with session_for(servers, "oauth", oidc_peer) as s:
        tools = await served_tools(s, "talk_", TALK_TOOLS)
    for sending in ("talk_send_message", "talk_share_file"):
        a = tools[sending].annotations
        assert a.destructiveHint is True and a.idempotentHint is False and a.readOnlyHint is False
    read_only = mcp_server({"toolsets": {"read_only": True, "enabled": ["talk"]}})
    async with mcp_session(read_only.url, oidc_peer.mint("alice")) as s:
        names = {t.name for t in (await s.list_tools()).tools}
    assert names == {"talk_list_conversations", "talk_get_conversation", "talk_get_messages",
                     "talk_list_participants", "talk_list_reactions", "talk_get_unread_messages"}


@pytest.mark.parametrize("mode", MODES)
async def test_conversations_sorted_rendered_and_php_empty_maps(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        listed = await ok(s, "talk_list_conversations")
        tokens = [c["token"] for c in listed["conversations"]]
        assert tokens[0] == APOLLO and set(tokens) == {APOLLO, "a7b2c9de", "r34d0n1y", "w3bn4r01"}
        apollo = listed["conversations"][0]
        assert apollo["last_message"]["text"] == "@Alice Example can you review the **launch checklist**?"
        assert apollo["unread_messages"] == 2 and apollo["unread_mention"] is True
        one = next(c for c in listed["conversations"] if c["token"] == "a7b2c9de")
        # lastMessage [] (no message) decodes as "no last message"; a 1:1 shows the other user.
        assert "last_message" not in one and one["display_name"] == "Bob Example" and one["type_name"] == "one-to-one"
        assert isinstance(listed["modified_before"], int)
        unread = await ok(s, "talk_list_conversations", {"unread_only": True})
        assert [c["token"] for c in unread["conversations"]] == [APOLLO]
        got = await ok(s, "talk_get_conversation", {"token": APOLLO})
        assert got["display_name"] == "Project Apollo" and got["is_participant"] and got["participant_role"] == "owner"
        ro = await ok(s, "talk_get_conversation", {"token": "r34d0n1y"})
        assert ro["read_only"] and not ro["can_chat"]


async def test_wrong_tokens_fail_fast_without_guessing(servers, nextcloud, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        nextcloud.reset_stats()
        await fails(s, "talk_get_conversation", {"token": "Project Apollo"}, "invalid argument `token`",
                    "talk_list_conversations")
        await fails(s, "talk_get_messages", {"token": "K4X9QJ2M"}, "invalid argument `token`")
        assert routes(nextcloud, "/spreed/") == {}
        await fails(s, "talk_get_conversation", {"token": "zz99zz99"}, "404", "not a participant",
                    "do not try other tokens")
        assert routes(nextcloud, "/spreed/") == {"GET /ocs/v2.php/apps/spreed/api/v4/room/zz99zz99": 1}


async def test_brute_force_throttling_is_explained(nextcloud, oidc_peer, mcp_server):
    server = mcp_server({"nextcloud": {"max_retries": 0}})
    async with mcp_session(server.url, oidc_peer.mint("alice")) as s:
        for i in range(5):
            await fails(s, "talk_get_conversation", {"token": f"nope{i:04d}"}, "404")
        text = await fails(s, "talk_get_conversation", {"token": APOLLO}, "429", "brute-force")
        assert "wait" in text


@pytest.mark.parametrize("mode", MODES)
async def test_history_pages_by_header_until_304_and_never_long_polls(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        first = await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 3})
        # 1044 is a reaction bookkeeping row: skipped, and the page is topped up from X-Chat-Last-Given.
        assert [m["id"] for m in first["messages"]] == [1046, 1045, 1043]
        assert first["skipped"] == 1 and first["has_more"] and first["next_cursor"] == 1043
        reply = first["messages"][1]
        assert reply["reply_to"] == {"id": 1041, "author": "Alice Example", "excerpt": "Draft of the checklist is ready"}
        assert first["messages"][0]["reactions"] == {"👍": 1}
        assert first["messages"][2]["kind"] == "system" and first["messages"][2]["text"] == "Alice Example added Bob Example"
        rest = await ok(s, "talk_get_messages", {"token": APOLLO, "last_known_message_id": first["next_cursor"]})
        assert [m["id"] for m in rest["messages"]] == [1042, 1041, 1040] and rest["has_more"] is False
        assert rest["messages"][0]["text"] == "📎 checklist.pdf (application/pdf, 48213 bytes)"
        assert rest["messages"][0]["files"][0]["name"] == "checklist.pdf"
        assert rest["messages"][1]["reactions"] == {}  # reactions [] / messageParameters [] decode as empty maps
        no_system = await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 10, "include_system_messages": False})
        assert all(m["kind"] != "system" for m in no_system["messages"])
        queries = chat_queries(nextcloud)
        assert len(queries) >= 4
        for q in queries:
            assert q["lookIntoFuture"] == "0" and q["setReadMarker"] == "0" and q["markNotificationsAsRead"] == "0"


async def test_short_and_empty_pages_are_not_the_end(servers, nextcloud, oidc_peer):
    # Expired messages are dropped after the limit: Talk answers 200 with [] and a cursor, not 304.
    nextcloud.http.post(f"{nextcloud.url}/__fake/talk/expire", json={"token": APOLLO, "ids": [1045, 1046]})
    async with session_for(servers, "basic", oidc_peer) as s:
        page = await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 2})
        assert [m["id"] for m in page["messages"]] == [1043, 1042] and page["has_more"]


async def test_newer_messages_without_waiting_or_moving_the_read_marker(servers, nextcloud, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        newer = await ok(s, "talk_get_messages", {"token": APOLLO, "since_message_id": 1043})
        assert [m["id"] for m in newer["messages"]] == [1045, 1046] and newer["has_more"] is False
        none_newer = await ok(s, "talk_get_messages", {"token": APOLLO, "since_message_id": 1046})
        assert none_newer["messages"] == [] and none_newer["has_more"] is False
        future = [q for q in chat_queries(nextcloud) if q["lookIntoFuture"] == "1"]
        assert future and all(q["timeout"] == "0" and q["setReadMarker"] == "0" for q in future)
        assert (await ok(s, "talk_get_conversation", {"token": APOLLO}))["last_read_message"] == 1043
        await fails(s, "talk_get_messages", {"token": APOLLO, "since_message_id": 5, "last_known_message_id": 9},
                    "not both")
        await fails(s, "talk_get_messages", {"token": APOLLO, "since_message_id": 0}, "since_message_id")
        await fails(s, "talk_get_messages", {"token": APOLLO, "limit": 500}, "limit")
        await fails(s, "talk_get_messages", {"token": "w3bn4r01"}, "412", "lobby")


@pytest.mark.parametrize("mode", MODES)
async def test_unread_messages_in_one_call_then_mark_read(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        unread = await ok(s, "talk_get_unread_messages", {"token": APOLLO})
        assert unread["unread_count"] == 2 and [m["id"] for m in unread["messages"]] == [1045, 1046]
        assert unread["last_message_id"] == 1046 and unread["more_unread"] is False
        assert (await ok(s, "talk_get_conversation", {"token": APOLLO}))["unread_messages"] == 2  # read changed nothing
        marked = await ok(s, "talk_mark_as_read", {"token": APOLLO, "last_read_message": unread["last_message_id"]})
        assert marked == {"token": APOLLO, "last_read_message": 1046, "unread_messages": 0}
        assert (await ok(s, "talk_get_unread_messages", {"token": APOLLO}))["messages"] == []
        await fails(s, "talk_mark_as_read", {"token": APOLLO, "last_read_message": -3}, "last_read_message")
        everything = await ok(s, "talk_mark_as_read", {"token": "a7b2c9de"})
        assert everything["unread_messages"] == 0


@pytest.mark.parametrize("mode", MODES)
async def test_send_message_once_with_mentions_and_replies(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        nextcloud.reset_stats()
        sent = await ok(s, "talk_send_message", {"token": APOLLO, "message": "Approved @bob", "reply_to": 1046})
        assert sent["message"]["text"] == "Approved @Bob Example" and sent["message"]["reply_to"]["id"] == 1046
        assert len(sent["reference_id"]) == 64 and sent["message"]["reference_id"] == sent["reference_id"]
        assert routes(nextcloud, "POST " + CHAT) == {"POST " + CHAT: 1}
        await fails(s, "talk_send_message", {"token": APOLLO, "message": "  "}, "must not be empty")
        await fails(s, "talk_send_message", {"token": APOLLO, "message": "x" * 32001}, "32001", "Nothing was sent")
        assert routes(nextcloud, "POST " + CHAT) == {"POST " + CHAT: 1}
        await fails(s, "talk_send_message", {"token": APOLLO, "message": "ack", "reply_to": 1043}, "reply_to")
        await fails(s, "talk_send_message", {"token": "r34d0n1y", "message": "hi"}, "403", "read-only")
        latest = await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 1})
        assert latest["messages"][0]["id"] == sent["message"]["id"]


async def test_lost_send_is_not_resent(servers, nextcloud, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        nextcloud.reset_stats()
        nextcloud.fault(status=-1, routes=[CHAT])
        text = await fails(s, "talk_send_message", {"token": APOLLO, "message": "hello"}, "check with talk_get_messages")
        assert "before sending again" in text
        nextcloud.clear_fault()
        assert routes(nextcloud, "POST " + CHAT) == {"POST " + CHAT: 1}


async def test_lost_answer_is_found_by_reference_id_not_resent(servers, nextcloud, oidc_peer):
    async with session_for(servers, "basic", oidc_peer) as s:
        nextcloud.reset_stats()
        nextcloud.http.post(f"{nextcloud.url}/__fake/talk/drop-next-send-answer").raise_for_status()
        sent = await ok(s, "talk_send_message", {"token": APOLLO, "message": "exactly once"})
        assert "sent once" in sent["note"] and sent["message"]["text"] == "exactly once"
        assert sent["message"]["reference_id"] == sent["reference_id"]
        assert routes(nextcloud, "POST " + CHAT) == {"POST " + CHAT: 1}
        page = await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 5})
        assert [m["text"] for m in page["messages"]].count("exactly once") == 1


@pytest.mark.parametrize("mode", MODES)
async def test_create_conversations_the_way_talk_wants(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        # A user id in `invite` of a group room: Talk would read it as a GROUP and answer 404; we add the user.
        made = await ok(s, "talk_create_conversation", {"room_name": "Pair", "invite": "bob", "users": ["nobody"]})
        assert made["created"] and made["added"] == ["users:bob"] and made["failed"][0].startswith("users:nobody")
        token = made["conversation"]["token"]
        people = await ok(s, "talk_list_participants", {"token": token, "include_status": True})
        assert {p["actor_id"] for p in people["participants"]} == {"alice", "bob"}
        assert next(p for p in people["participants"] if p["actor_id"] == "alice")["status"] == "online"
        direct = await ok(s, "talk_create_conversation", {"room_type": 1, "invite": "bob"})
        assert direct["created"] is False and direct["conversation"]["token"] == "a7b2c9de"
        await fails(s, "talk_create_conversation", {"room_type": 1, "invite": "alice"}, "yourself")
        await fails(s, "talk_create_conversation", {"room_type": 1, "invite": "ghost"}, "no such user")
        await fails(s, "talk_create_conversation", {"room_type": 2}, "room_name")
        await fails(s, "talk_create_conversation", {"room_type": 7, "room_name": "x"}, "room_type")
        await fails(s, "talk_create_conversation", {"room_type": 1}, "exactly one user")


async def test_create_on_older_talk_adds_participants_one_by_one(servers, nextcloud, oidc_peer):
    talk_features_off(nextcloud, "conversation-creation-all")
    async with session_for(servers, "oauth", oidc_peer) as s:
        made = await ok(s, "talk_create_conversation", {"room_name": "Team", "users": ["bob"], "groups": ["staff"]})
        assert made["added"] == ["users:bob", "groups:staff"] and made["failed"] == []
        token = made["conversation"]["token"]
        assert routes(nextcloud, f"/room/{token}/participants") == {
            f"POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants": 2}


@pytest.mark.parametrize("mode", MODES)
async def test_add_participant(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        token = (await ok(s, "talk_create_conversation", {"room_name": "Solo"}))["conversation"]["token"]
        added = await ok(s, "talk_add_participant", {"token": token, "participant": "bob"})
        assert added["participant"] == "bob" and added["conversation_type"] is None
        await ok(s, "talk_add_participant", {"token": token, "participant": "bob"})  # already there: no-op
        people = await ok(s, "talk_list_participants", {"token": token})
        assert [p["actor_id"] for p in people["participants"]].count("bob") == 1
        guest = await ok(s, "talk_add_participant", {"token": token, "participant": "g@example.org", "source": "emails"})
        assert guest["conversation_type"] == 3
        await fails(s, "talk_add_participant", {"token": token, "participant": "ghost"}, "no such user")
        await fails(s, "talk_add_participant", {"token": "a7b2c9de", "participant": "bob"}, "one-to-one")
        await fails(s, "talk_add_participant", {"token": token, "participant": "x", "source": "robots"}, "source")
        await fails(s, "talk_add_participant", {"token": "r34d0n1y", "participant": "bob"}, "403", "moderators")


@pytest.mark.parametrize("mode", MODES)
async def test_reactions(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        listed = await ok(s, "talk_list_reactions", {"token": APOLLO, "message_id": 1046})
        assert listed["reactions"] == [{"reaction": "👍", "count": 1, "actors": ["Bob Example"], "reacted_by_me": False}]
        assert (await ok(s, "talk_list_reactions", {"token": APOLLO, "message_id": 1045}))["reactions"] == []  # []
        added = await ok(s, "talk_react", {"token": APOLLO, "message_id": 1046, "reaction": "🎉"})
        assert added["message"] == "reacted with 🎉"
        assert any(g["reaction"] == "🎉" and g["reacted_by_me"] for g in added["reactions"])
        again = await ok(s, "talk_react", {"token": APOLLO, "message_id": 1046, "reaction": "🎉"})
        assert "already" in again["message"]
        only = await ok(s, "talk_list_reactions", {"token": APOLLO, "message_id": 1046, "reaction": "🎉"})
        assert [g["reaction"] for g in only["reactions"]] == ["🎉"]
        removed = await ok(s, "talk_remove_reaction", {"token": APOLLO, "message_id": 1046, "reaction": "🎉"})
        assert [g["reaction"] for g in removed["reactions"]] == ["👍"]
        gone = await ok(s, "talk_remove_reaction", {"token": APOLLO, "message_id": 1046, "reaction": "🎉"})
        assert "nothing to remove" in gone["message"]
        await fails(s, "talk_react", {"token": APOLLO, "message_id": 1043, "reaction": "👍"}, "400")
        await fails(s, "talk_react", {"token": APOLLO, "message_id": 1046, "reaction": ""}, "one emoji")
        # Reaction bookkeeping rows never show up in the history.
        page = await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 5})
        assert all(m.get("system_message") not in ("reaction", "reaction_revoked") for m in page["messages"])


async def test_reactions_need_the_feature(servers, nextcloud, oidc_peer):
    talk_features_off(nextcloud, "reactions")
    async with session_for(servers, "oauth", oidc_peer) as s:
        await fails(s, "talk_react", {"token": APOLLO, "message_id": 1046, "reaction": "👍"}, "`reactions` feature")


@pytest.mark.parametrize("mode", MODES)
async def test_share_file_into_conversation(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        shared = await ok(s, "talk_share_file", {"token": APOLLO, "path": "Documents/report.pdf",
                                                 "caption": "Final report"})
        assert shared["path"] == "/Documents/report.pdf" and shared["conversation"] == "Project Apollo"
        assert shared["share_id"]
        newest = (await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 1}))["messages"][0]
        assert newest["text"] == "Final report" and newest["files"][0]["name"] == "report.pdf"
        await fails(s, "talk_share_file", {"token": APOLLO, "path": "Documents/missing.pdf"}, "does not exist")
        await fails(s, "talk_share_file", {"token": "r34d0n1y", "path": "Documents/report.pdf"}, "cannot post")
        await fails(s, "talk_share_file", {"token": APOLLO, "path": "../etc/passwd"}, "invalid argument `path`")


async def test_share_file_honours_excluded_tags(nextcloud, oidc_peer, mcp_server):
    plain = mcp_server()
    async with mcp_session(plain.url, oidc_peer.mint("alice")) as s:
        await ok(s, "nc_webdav_tag_file", {"path": "Documents", "tag": "confidential"})
    hidden = mcp_server({"toolsets": {"files": {"excluded_tags": ["Confidential"]}}})
    async with mcp_session(hidden.url, oidc_peer.mint("alice")) as s:
        nextcloud.reset_stats()
        await fails(s, "talk_share_file", {"token": APOLLO, "path": "Documents/report.pdf"}, "not available",
                    "excluded_tags")
        assert routes(nextcloud, "files_sharing") == {}


async def test_messages_hide_files_hidden_by_excluded_tags(nextcloud, oidc_peer, mcp_server):
    """A message sharing a hidden file keeps its place, but the file's name, path and id are not shown: not in the
    chat, the unread list, a conversation's or the list's last message, or a reply's excerpt."""
    plain = mcp_server()
    async with mcp_session(plain.url, oidc_peer.mint("alice")) as s:
        await ok(s, "nc_webdav_write_file", {"path": "Documents/payroll-2026.pdf", "content": "pay"})
        await ok(s, "talk_share_file", {"token": APOLLO, "path": "Documents/report.pdf"})
        await ok(s, "talk_share_file", {"token": APOLLO, "path": "Documents/payroll-2026.pdf"})
        secret = (await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 1}))["messages"][0]
        file_id = secret["files"][0]["id"]
        assert secret["files"][0]["name"] == "payroll-2026.pdf"
        await ok(s, "nc_webdav_tag_file", {"path": "Documents/payroll-2026.pdf", "tag": "confidential"})
    hidden = mcp_server({"toolsets": {"files": {"excluded_tags": ["Confidential"]}}})
    async with mcp_session(hidden.url, oidc_peer.mint("alice")) as s:
        answers = {
            "messages": await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 2}),
            "unread": await ok(s, "talk_get_unread_messages", {"token": APOLLO}),
            "conversation": await ok(s, "talk_get_conversation", {"token": APOLLO}),
            "list": await ok(s, "talk_list_conversations"),
            "sent reply": await ok(s, "talk_send_message", {"token": APOLLO, "message": "see above",
                                                            "reply_to": secret["id"]}),
            "read reply": await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 1}),
        }
    for name, answer in answers.items():
        shown = json.dumps(answer, ensure_ascii=False)
        assert "payroll" not in shown and f'"{file_id}"' not in shown, (name, shown)
    hidden_share, report = answers["messages"]["messages"]
    assert hidden_share["id"] == secret["id"] and hidden_share["text"] == HIDDEN_FILE and "files" not in hidden_share
    assert report["files"][0]["name"] == "report.pdf"
    assert answers["conversation"]["last_message"]["text"] == HIDDEN_FILE
    apollo = next(c for c in answers["list"]["conversations"] if c["token"] == APOLLO)
    assert apollo["last_message"]["text"] == HIDDEN_FILE
    assert answers["sent reply"]["message"]["reply_to"]["excerpt"] == HIDDEN_FILE
    assert answers["read reply"]["messages"][0]["reply_to"]["excerpt"] == HIDDEN_FILE
    # The same messages, read without exclusions, still name the file.
    async with mcp_session(plain.url, oidc_peer.mint("alice")) as s:
        again = (await ok(s, "talk_get_messages", {"token": APOLLO, "limit": 2}))["messages"]
    assert again[0]["reply_to"]["excerpt"].startswith("📎 payroll-2026.pdf (")
    assert again[1]["files"][0]["name"] == "payroll-2026.pdf"


async def test_talk_absent_is_explained(servers, nextcloud, oidc_peer):
    nextcloud.set_apps(["notes", "deck", "tables", "calendar", "contacts"])
    async with session_for(servers, "oauth", oidc_peer) as s:
        nextcloud.reset_stats()
        await fails(s, "talk_list_conversations", {}, "Talk app is not installed or not enabled", "spreed")
        assert routes(nextcloud, "/spreed/") == {}
