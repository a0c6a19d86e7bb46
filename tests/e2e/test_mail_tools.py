"""Mail toolset (issue 12) through the official MCP SDK, as an OAuth user and in basic mode, against the Mail contract
fake: every tool's main path and failure cases, OCS-APIRequest on every call (412 without), the dateInt cursor,
403 [] as "not found", sync-and-retry of uncached mailboxes, binary attachments, structured recipients, a failed send
that reports its outbox id, search across mailboxes, replies, and the app-absent message."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.e2e.toolset_servers import MODES, fails, fake_state, ok, served_tools, session_for
from tests.harness import mcp_session

pytestmark = pytest.mark.e2e

MAIL_TOOLS = {
    "nc_mail_list_accounts", "nc_mail_list_mailboxes", "nc_mail_list_messages", "nc_mail_get_message",
    "nc_mail_send_message", "nc_mail_get_attachment", "nc_mail_get_message_source", "nc_mail_set_flags",
    "nc_mail_create_tag", "nc_mail_set_tag", "nc_mail_remove_tag", "nc_mail_move_message", "nc_mail_delete_message",
    "nc_mail_search", "nc_mail_reply_to_message",
}
API = "/index.php/apps/mail/api"


def mail_routes(nextcloud) -> dict[str, int]:
    return {k: v for k, v in nextcloud.stats()["routes"].items() if "/mail" in k}


async def test_tools_listed_with_annotations(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        tools = await served_tools(s, "nc_mail_", MAIL_TOOLS)
    for name in ("nc_mail_send_message", "nc_mail_reply_to_message", "nc_mail_delete_message"):
        a = tools[name].annotations
        assert a.destructiveHint is True and a.idempotentHint is False, name
    assert tools["nc_mail_move_message"].annotations.idempotentHint is False


async def test_mail_routes_need_the_ocs_header(nextcloud):
    # The fake is as strict as Mail: without OCS-APIRequest the web routes answer 412 (CSRF).
    r = httpx.get(f"{nextcloud.url}{API}/accounts", auth=("alice", "alice-app-password"))
    assert r.status_code == 412 and r.json() == {"message": "CSRF check failed"}


@pytest.mark.parametrize("mode", MODES)
async def test_accounts_and_mailboxes(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        accounts = await ok(s, "nc_mail_list_accounts")
        account = accounts["accounts"][0]
        assert account["email_address"] == "alice@example.com" and account["trash_mailbox_id"] == 24
        assert account["aliases"][0]["alias"] == "support@example.com" and "imap_host" not in account
        boxes = await ok(s, "nc_mail_list_mailboxes", {"account_id": 3})
        projects = next(b for b in boxes["mailboxes"] if b["id"] == 27)
        assert projects["short_name"] == "Projects" and projects["parent"] == "INBOX"
        assert next(b for b in boxes["mailboxes"] if b["id"] == 21)["unread"] == 5
        await fails(s, "nc_mail_list_mailboxes", {"account_id": 99}, "account 99 not found", "nc_mail_list_accounts")
    assert nextcloud.stats()["headers_seen"].get("ocs-apirequest", 0) >= nextcloud.stats()["total"] - 1


async def test_bob_without_accounts(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer, user="bob") as s:
        assert (await ok(s, "nc_mail_list_accounts")) == {"accounts": [], "count": 0}
        await fails(s, "nc_mail_get_message", {"message_id": 1532}, "message 1532 not found")


@pytest.mark.parametrize("mode", MODES)
async def test_paging_by_timestamp_cursor_and_filters(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        first = await ok(s, "nc_mail_list_messages", {"mailbox_id": 21, "limit": 4})
        ids = [m["id"] for m in first["messages"]]
        assert ids == [1532, 1529, 1528, 1520] and first["has_more"]
        assert first["next_cursor"] == first["messages"][-1]["date_int"] == 1767200000
        assert first["messages"][0]["tags"] == ["Important"] and first["messages"][1]["tags"] == []  # [] -> no tags
        assert first["messages"][0]["flags"]["flagged"] and first["messages"][0]["flags"]["has_attachments"]
        rest = await ok(s, "nc_mail_list_messages", {"mailbox_id": 21, "limit": 4, "cursor": first["next_cursor"]})
        assert [m["id"] for m in rest["messages"]] == [1521, 1522, 1523, 1524]
        unread = await ok(s, "nc_mail_list_messages", {"mailbox_id": 21, "limit": 50, "unread_only": True,
                                                        "from": "Bob Builder"})
        assert [m["id"] for m in unread["messages"]] == [1532, 1529] and unread["next_cursor"] is None
        since = await ok(s, "nc_mail_list_messages", {"mailbox_id": 21, "limit": 50, "since": "2026-01-01"})
        assert [m["id"] for m in since["messages"]] == [1532, 1529, 1528]
        subject = await ok(s, "nc_mail_list_messages", {"mailbox_id": 21, "limit": 50, "subject": "lunch"})
        assert [m["id"] for m in subject["messages"]] == [1529]
        await fails(s, "nc_mail_list_messages", {"mailbox_id": 21, "since": "last week"}, "since")
        await fails(s, "nc_mail_list_messages", {"mailbox_id": 21, "limit": 0}, "limit")
        await fails(s, "nc_mail_list_messages", {"mailbox_id": 999}, "mailbox 999 not found")


async def test_threads_view_is_explicit(servers, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        flat = await ok(s, "nc_mail_list_messages", {"mailbox_id": 23, "limit": 10})
        assert [m["id"] for m in flat["messages"]] == [1490] and flat["threads"] is False


async def test_uncached_mailbox_is_synced_then_listed(servers, nextcloud, oidc_peer):
    async with session_for(servers, "oauth", oidc_peer) as s:
        nextcloud.reset_stats()
        listed = await ok(s, "nc_mail_list_messages", {"mailbox_id": 27, "limit": 10})
        assert [m["id"] for m in listed["messages"]] == [1600]
        routes = mail_routes(nextcloud)
        assert routes[f"POST {API}/mailboxes/27/sync"] == 2  # 202 ("call again"), then 200
        assert routes[f"GET {API}/messages"] == 2  # 400 MailboxNotCachedException, then the retry


async def test_sync_of_a_large_mailbox_is_bounded(servers, nextcloud, oidc_peer):
    nextcloud.http.post(f"{nextcloud.url}/__fake/mail/rounds", json={"mailbox": 27, "rounds": 50})
    async with session_for(servers, "oauth", oidc_peer) as s:
        nextcloud.reset_stats()
        await fails(s, "nc_mail_list_messages", {"mailbox_id": 27}, "still being synced", "call again")
        assert mail_routes(nextcloud)[f"POST {API}/mailboxes/27/sync"] == 5


@pytest.mark.parametrize("mode", MODES)
async def test_get_message_source_and_attachments(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        msg = await ok(s, "nc_mail_get_message", {"message_id": 1532})
        assert msg["subject"] == "Re: Launch checklist" and msg["from"][0]["email"] == "bob@example.org"
        assert msg["body"].startswith("Hi Alice") and not msg["is_html"] and msg["message_id"] == "<msg1532@mail.example.org>"
        assert [a["id"] for a in msg["attachments"]] == ["2", "3"]
        html = await ok(s, "nc_mail_get_message", {"message_id": 1528})
        assert html["is_html"] and html["body"] == "News\n\nItem & more"
        short = await ok(s, "nc_mail_get_message", {"message_id": 1532, "max_body_chars": 5})
        assert short["body"] == "Hi Al" and short["body_truncated"]
        pdf = await ok(s, "nc_mail_get_attachment", {"message_id": 1532, "attachment_id": "2"})
        assert pdf["encoding"] == "base64" and pdf["file_name"] == "checklist-v3.pdf"
        raw = base64.b64decode(pdf["content"])
        assert raw.startswith(b"%PDF-1.4\n\xff\xfe\x00") and pdf["size"] == len(raw)  # bytes intact (binary route)
        txt = await ok(s, "nc_mail_get_attachment", {"message_id": 1532, "attachment_id": "3"})
        assert txt["encoding"] == "text" and txt["content"] == "Step 3: fix typo ✓"
        await fails(s, "nc_mail_get_attachment", {"message_id": 1532, "attachment_id": "2", "max_bytes": 10},
                    "larger than max_bytes")
        await fails(s, "nc_mail_get_attachment", {"message_id": 1532, "attachment_id": "../x"}, "attachment_id")
        await fails(s, "nc_mail_get_attachment", {"message_id": 4242, "attachment_id": "2"}, "not found")
        head = await ok(s, "nc_mail_get_message_source", {"message_id": 1532})
        assert head["source"].endswith("Content-Type: text/plain; charset=utf-8") and head["truncated"]
        full = await ok(s, "nc_mail_get_message_source", {"message_id": 1532, "headers_only": False, "max_bytes": 300})
        assert len(full["source"]) == 300 and full["total_bytes"] > 2000
        await fails(s, "nc_mail_get_message", {"message_id": 4242}, "message 4242 not found")
    routes = mail_routes(nextcloud)
    assert not any("/ocs/v2.php/apps/mail/message/1532/attachment" in r for r in routes)


@pytest.mark.parametrize("mode", MODES)
async def test_send_with_structured_recipients(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        sent = await ok(s, "nc_mail_send_message", {
            "account_id": 3, "to": ["Bob Builder <bob@example.org>", {"email": "carol@example.net"}],
            "cc": ["dave@example.org"], "subject": "Status", "body": "All green"})
        assert sent["sent"] and sent["to"][0] == {"label": "Bob Builder", "email": "bob@example.org"}
        row = fake_state(nextcloud, "mail")["sent"][-1]
        assert row["to"] == [{"label": "Bob Builder", "email": "bob@example.org"}, {"email": "carol@example.net"}]
        assert row["cc"] == [{"email": "dave@example.org"}] and row["subject"] == "Status"
        nextcloud.reset_stats()
        await fails(s, "nc_mail_send_message", {"account_id": 3, "to": ['[{"email": "bob"}]'], "subject": "x"},
                    "not an e-mail address", "Nothing was sent")
        await fails(s, "nc_mail_send_message", {"account_id": 3, "to": [], "subject": "x"}, "at least one recipient")
        assert not any("outbox" in r for r in mail_routes(nextcloud))
        await fails(s, "nc_mail_send_message", {"account_id": 9, "to": ["bob@example.org"], "subject": "x"},
                    "Account not found")


async def test_failed_send_reports_the_outbox_id_and_retry_sends_once(servers, nextcloud, oidc_peer):
    nextcloud.http.post(f"{nextcloud.url}/__fake/mail/smtp", json={"fail": True})
    async with session_for(servers, "oauth", oidc_peer) as s:
        text = await fails(s, "nc_mail_send_message", {"account_id": 3, "to": ["bob@example.org"], "subject": "Hi",
                                                       "body": "x"}, "NOT sent", "retry_outbox_id=")
        outbox = fake_state(nextcloud, "mail")["outbox"]
        assert len(outbox) == 1 and f"outbox message {outbox[0]}" in text
        nextcloud.http.post(f"{nextcloud.url}/__fake/mail/smtp", json={"fail": False})
        retried = await ok(s, "nc_mail_send_message", {"account_id": 3, "retry_outbox_id": outbox[0]})
        assert retried["sent"] and retried["outbox_id"] == outbox[0]
        after = fake_state(nextcloud, "mail")
        assert after["outbox"] == [] and len(after["sent"]) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_reply_fills_headers_and_recipients(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        reply = await ok(s, "nc_mail_reply_to_message", {"message_id": 1532, "body": "Signed off."})
        assert reply["in_reply_to"] == "<msg1532@mail.example.org>"
        row = fake_state(nextcloud, "mail")["sent"][-1]
        assert row["subject"] == "Re: Launch checklist"  # not "Re: Re:"
        assert row["to"] == [{"label": "Bob (work)", "email": "bob.work@example.org"}]  # Reply-To wins
        assert row["inReplyToMessageId"] == "<msg1532@mail.example.org>" and row["cc"] == []
        assert "Bob Builder wrote:\n> Hi Alice," in row["bodyPlain"]
        everyone = await ok(s, "nc_mail_reply_to_message", {"message_id": 1529, "body": "Yes", "reply_all": True,
                                                            "quote_original": False})
        row = fake_state(nextcloud, "mail")["sent"][-1]
        assert row["subject"] == "Re: Lunch?" and row["bodyPlain"] == "Yes" and everyone["cc"] == []  # own address left out
        assert fake_state(nextcloud, "mail")["messages"]["1529"]["flags"]["answered"] is True
        await fails(s, "nc_mail_reply_to_message", {"message_id": 1532, "body": " "}, "body")
        await fails(s, "nc_mail_reply_to_message", {"message_id": 4242, "body": "x"}, "not found")


@pytest.mark.parametrize("mode", MODES)
async def test_flags_and_tags(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        done = await ok(s, "nc_mail_set_flags", {"message_id": 1529, "seen": True, "junk": False})
        assert done["flags"] == {"seen": True, "$junk": False} and done["notes"]
        assert fake_state(nextcloud, "mail")["messages"]["1529"]["flags"]["seen"] is True
        await fails(s, "nc_mail_set_flags", {"message_id": 1529}, "at least one")
        await fails(s, "nc_mail_set_flags", {"message_id": 4242, "seen": True}, "not found")
        tag = await ok(s, "nc_mail_create_tag", {"display_name": "AI Index"})
        assert tag["tag"]["imap_label"] == "$ai_index"
        again = await ok(s, "nc_mail_create_tag", {"display_name": "ai index", "color": "#ff0000"})
        assert again["tag"]["id"] == tag["tag"]["id"] and again["tag"]["color"] == "#0082c9"  # existing wins
        await fails(s, "nc_mail_create_tag", {"display_name": "x" * 129}, "display_name")
        await ok(s, "nc_mail_set_tag", {"message_id": 1529, "tag": "Important"})  # the default $label1, not a new tag
        await ok(s, "nc_mail_set_tag", {"message_id": 1529, "tag": "Follow up"})  # created on set
        assert fake_state(nextcloud, "mail")["messages"]["1529"]["tags"] == ["$label1", "$follow_up"]
        listed = await ok(s, "nc_mail_list_messages", {"mailbox_id": 21, "limit": 50, "subject": "lunch"})
        assert sorted(listed["messages"][0]["tags"]) == ["Follow up", "Important"]
        removed = await ok(s, "nc_mail_remove_tag", {"message_id": 1529, "tag": "follow up"})
        assert "removed" in removed["message"]
        nothing = await ok(s, "nc_mail_remove_tag", {"message_id": 1529, "tag": "Never Created"})
        assert "nothing to remove" in nothing["message"]
        state = fake_state(nextcloud, "mail")
        assert state["messages"]["1529"]["tags"] == ["$label1"]
        await fails(s, "nc_mail_remove_tag", {"message_id": 4242, "tag": "Work"}, "not found")


@pytest.mark.parametrize("mode", MODES)
async def test_move_and_delete_say_what_happened(servers, nextcloud, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        moved = await ok(s, "nc_mail_move_message", {"message_id": 1529, "destination_mailbox_id": 23})
        assert moved["rfc_message_id"] == "<msg1529@mail.example.org>" and moved["destination_mailbox_id"] == 23
        await fails(s, "nc_mail_move_message", {"message_id": 1529, "destination_mailbox_id": 23}, "not found",
                    "ids change")  # stale id
        await fails(s, "nc_mail_move_message", {"message_id": 1528, "destination_mailbox_id": 999}, "not found")
        trashed = await ok(s, "nc_mail_delete_message", {"message_id": 1532})
        assert trashed["permanently_deleted"] is False and trashed["destination_mailbox_id"] == 24
        gone = await ok(s, "nc_mail_delete_message", {"message_id": 1400})  # already in the trash
        assert gone["permanently_deleted"] is True
        state = fake_state(nextcloud, "mail")
        assert "1400" not in state["messages"] and len(state["mailboxes"]["24"]) == 1
        await fails(s, "nc_mail_delete_message", {"message_id": 1532}, "not found")


@pytest.mark.parametrize("mode", MODES)
async def test_search_across_mailboxes(servers, oidc_peer, mode):
    async with session_for(servers, mode, oidc_peer) as s:
        found = await ok(s, "nc_mail_search", {"query": "launch"})
        hits = {(h["message_id"], h["mailbox_id"]) for h in found["results"]}
        assert hits == {(1532, 21), (1490, 23)}  # INBOX and Sent
        page = await ok(s, "nc_mail_search", {"query": "report", "limit": 2})
        assert page["count"] == 2 and page["next_cursor"]
        more = await ok(s, "nc_mail_search", {"query": "report", "limit": 10, "cursor": page["next_cursor"]})
        assert {h["message_id"] for h in more["results"]}.isdisjoint({h["message_id"] for h in page["results"]})
        await fails(s, "nc_mail_search", {"query": "  "}, "query")


async def test_mail_absent_is_explained(nextcloud, oidc_peer, mcp_server):
    nextcloud.set_apps(["notes", "deck", "tables", "calendar", "contacts", "spreed"])
    server = mcp_server()
    async with mcp_session(server.url, oidc_peer.mint("alice")) as s:
        text = await fails(s, "nc_mail_list_accounts", {}, "Mail app is not installed or not enabled for you")
        assert "occ app:enable mail" in text
        await fails(s, "nc_mail_get_message", {"message_id": 1}, "not installed")
    probes = [k for k in nextcloud.stats()["routes"] if k.endswith("/apps/mail/api/accounts")]
    assert probes and nextcloud.stats()["routes"][probes[0]] == 1  # probed once, then cached


async def test_presence_is_per_user(servers, nextcloud, oidc_peer):
    # Mail enabled for alice only (app restricted to groups): bob is told, alice keeps working, on one server.
    nextcloud.http.post(f"{nextcloud.url}/__fake/mail/disable-for", json={"uids": ["bob"]})
    async with session_for(servers, "oauth", oidc_peer, user="bob") as bob, \
            session_for(servers, "oauth", oidc_peer) as alice:
        await fails(bob, "nc_mail_list_accounts", {}, "not installed or not enabled for you")
        assert (await ok(alice, "nc_mail_list_accounts"))["count"] == 1
        await fails(bob, "nc_mail_list_mailboxes", {"account_id": 3}, "not installed or not enabled for you")
        assert (await ok(alice, "nc_mail_list_mailboxes", {"account_id": 3}))["count"] == 4
