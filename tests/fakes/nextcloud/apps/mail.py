"""Mail contract fake, from ../shared/nextcloud-api/mail/ (DERIVED from nextcloud/mail @e5734fe2 sources).

Faithful to what bites clients:
- Web routes /index.php/apps/mail/api/* are plain JSON and need `OCS-APIRequest: true` (else 412
  {"message":"CSRF check failed"}); OCS routes /ocs/v2.php/apps/mail/message/... have errors with a STRING in data.
- Unknown or foreign ids answer 403 [] (not 404); OCS message 404 data "Account not found.".
- GET /api/messages: limit 1..100 (1 when omitted), default view THREADED (newest message per thread), order newest
  first, cursor = sent_at timestamp with strict `<` (messages sharing the cursor's timestamp are skipped), filter grammar
  subset (is:unread, from:, subject:, start:, end:; values urldecoded). A mailbox not cached answers
  400 MailboxNotCachedException until POST /api/mailboxes/{id}/sync {"init":true} ran: 202 "call again" for the first
  rounds, then 200 (init false on an uncached mailbox: 428). Envelope `tags` is [] when empty.
- Attachments: binary route with Content-Type/Content-Disposition; unknown part -> 500 (HTML). The OCS attachment route
  is not served (it loses bytes; clients must not use it).
- Move/delete give the message a NEW id in the destination/trash; deleting from the trash expunges.
- Outbox: create (201 {"status":"success","data":row}) then send (202 "Message sent"); with SMTP failing the send step
  answers 500 {"status":"error","message":"Could not send message","data":[row]} and the row stays in the outbox.
- Tags: create-or-get by IMAP label ($ + lowercase name, spaces -> _); default tags $label1..5; unknown label 403 [].
- Unified search provider `mail` at /ocs/v2.php/search/providers/mail/search.
Control: POST /__fake/mail/smtp {"fail": bool}; POST /__fake/mail/rounds {"mailbox", "rounds"} (initial-sync rounds
still needed); POST /__fake/mail/disable-for {"uids": [...]} (Mail restricted to groups those users are not in: its
routes answer 404 for them); GET /__fake/mail/state (sent mail, outbox, message ids per mailbox).
"""

from __future__ import annotations

import copy
import time
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .. import app_route, current_user, get_state, ocs_response, ocs_route
from ..auth import require_ocs_api_request

APP = "mail"
API = "/apps/mail/api"
PDF = b"%PDF-1.4\n\xff\xfe\x00binary\x80\x81 checklist\n%%EOF\n"
DEFAULT_TAGS = [("$label1", "Important", "#FF7A66"), ("$label2", "Work", "#31CC7C"), ("$label3", "Personal", "#A85BF7"),
                ("$label4", "To Do", "#317CCC"), ("$label5", "Later", "#B4A443")]
BOB = {"label": "Bob Builder", "email": "bob@example.org"}
ALICE = {"label": "Alice Example", "email": "alice@example.com"}
CAROL = {"label": "Carol", "email": "carol@example.net"}


def _msg(mid, mailbox, subject, date, sender, to, *, body="Hello", html=False, root=None, seen=False, flagged=False,
         tags=(), attachments=(), cc=(), reply_to=(), in_reply_to=None):
    return {"id": mid, "mailbox": mailbox, "subject": subject, "dateInt": date, "from": [sender], "to": list(to),
            "cc": list(cc), "replyTo": list(reply_to), "body": body, "html": html,
            "messageId": f"<msg{mid}@mail.example.org>", "threadRootId": root or f"<msg{mid}@mail.example.org>",
            "inReplyTo": in_reply_to, "flags": {"seen": seen, "flagged": flagged, "answered": False, "deleted": False,
                                                "$junk": False}, "tags": list(tags), "attachments": list(attachments)}


def _seed_alice() -> dict[str, Any]:
    root = "<20260101100000.abc@example.com>"
    msgs = [
        _msg(1532, 21, "Re: Launch checklist", 1767261000, BOB, [ALICE], cc=[CAROL], root=root, flagged=True,
             tags=["$label1"], body="Hi Alice,\n\nattached the final version, please sign off by Friday.\n\nBob",
             attachments=[("2", "checklist-v3.pdf", "application/pdf", PDF), ("3", "notes.txt", "text/plain",
                                                                             "Step 3: fix typo ✓".encode())],
             in_reply_to=root, reply_to=[{"label": "Bob (work)", "email": "bob.work@example.org"}]),
        _msg(1529, 21, "Lunch?", 1767250000, BOB, [ALICE], body="12:30 at the usual place?"),
        _msg(1528, 21, "Weekly newsletter", 1767240000, CAROL, [ALICE], html=True, seen=True,
             body="<html><body><h1>News</h1><p>Item &amp; more</p><script>x()</script></body></html>"),
        *[_msg(1520 + i, 21, f"Report {i}", 1767200000 - i * 1000, CAROL, [ALICE], seen=i % 2 == 0) for i in range(6)],
        _msg(1490, 23, "Launch checklist", 1767200000, ALICE, [BOB], seen=True, body="Draft attached"),
        _msg(1400, 24, "Old spam", 1767000000, CAROL, [ALICE], seen=True),
        _msg(1600, 27, "Project kickoff", 1767262000, BOB, [ALICE], body="Kickoff on Monday"),
    ]
    msgs[-3]["messageId"] = root  # 1490 is the thread root: 1532 answers it
    msgs[-3]["threadRootId"] = root
    mailboxes = {
        21: {"name": "INBOX", "special": ["inbox"], "cached": True, "rounds": 0, "bg": True},
        23: {"name": "Sent", "special": ["sent"], "cached": True, "rounds": 0, "bg": False},
        24: {"name": "Trash", "special": ["trash"], "cached": True, "rounds": 0, "bg": False},
        27: {"name": "INBOX.Projects", "special": [], "cached": False, "rounds": 2, "bg": False},
    }
    return {"account": 3, "mailboxes": mailboxes, "messages": {m["id"]: m for m in msgs},
            "tags": {label: {"id": 10 + i, "displayName": name, "imapLabel": label, "color": color, "isDefaultTag": True}
                     for i, (label, name, color) in enumerate(DEFAULT_TAGS)},
            "outbox": {}, "sent": []}


def reset(state) -> None:
    state.data["mail"] = {"users": {"alice": _seed_alice()}, "next_id": 2000, "smtp_fail": False, "disabled_for": set()}


def _db(request: Request, uid: str) -> dict[str, Any] | None:
    return get_state(request).data["mail"]["users"].get(uid)


def _next(request: Request) -> int:
    d = get_state(request).data["mail"]
    d["next_id"] += 1
    return d["next_id"]


def _forbidden() -> Response:
    return JSONResponse([], status_code=403)


def _fail(message: str, kind: str, status: int = 400) -> Response:
    return JSONResponse({"status": "fail", "data": {"message": message, "type": f"OCA\\Mail\\Exception\\{kind}"}},
                        status_code=status, headers={"x-mail-response": "true"})


class _NotEnabledForUser(Exception):
    pass


async def _user(request: Request) -> tuple[str, dict[str, Any] | None]:
    uid = await current_user(request)
    if uid in get_state(request).data["mail"]["disabled_for"]:
        raise _NotEnabledForUser()  # app restricted to groups the user is not in: its routes 404
    require_ocs_api_request(request)  # no #[NoCSRFRequired] on Mail's web routes
    return uid, _db(request, uid)


def _guarded(handler):
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except _NotEnabledForUser:
            return HTMLResponse("<h1>Page not found</h1>", status_code=404)
    run.__name__ = handler.__name__
    return run


def _envelope(db: dict, m: dict) -> dict[str, Any]:
    tags = {label: {"id": db["tags"][label]["id"], "userId": "alice", **db["tags"][label]} for label in m["tags"]
            if label in db["tags"]}
    flags = {**m["flags"], "draft": False, "forwarded": False, "hasAttachments": bool(m["attachments"]),
             "important": "$label1" in m["tags"], "$notjunk": False, "$mdnsent": False}
    return {"databaseId": m["id"], "uid": m["id"] + 7000, "subject": m["subject"], "dateInt": m["dateInt"],
            "flags": flags, "tags": tags or [], "from": m["from"], "to": m["to"], "cc": m["cc"], "bcc": [],
            "mailboxId": m["mailbox"], "messageId": m["messageId"], "inReplyTo": m["inReplyTo"], "references": None,
            "threadRootId": m["threadRootId"], "previewText": m["body"][:80] if not m["html"] else "News",
            "summary": None, "encrypted": False, "mentionsMe": False, "attachments": []}


# ---------------------------------------------------------------- accounts, mailboxes
async def accounts(request: Request) -> Response:
    _, db = await _user(request)
    if db is None:
        return JSONResponse([])
    return JSONResponse([{
        "id": db["account"], "accountId": db["account"], "name": "Alice Example", "order": 1,
        "emailAddress": "alice@example.com", "imapHost": "imap.example.com", "imapUser": "alice@example.com",
        "smtpHost": "smtp.example.com", "draftsMailboxId": 22, "sentMailboxId": 23, "trashMailboxId": 24,
        "archiveMailboxId": 25, "snoozeMailboxId": None, "junkMailboxId": 26,
        "aliases": [{"id": 2, "name": "Alice (Support)", "alias": "support@example.com", "signature": None}],
        "isDelegated": False}])


async def mailboxes(request: Request) -> Response:
    _, db = await _user(request)
    if db is None or request.query_params.get("accountId") != str(db["account"]):
        return _forbidden()
    boxes = []
    for mid, b in db["mailboxes"].items():
        unread = sum(1 for m in db["messages"].values() if m["mailbox"] == mid and not m["flags"]["seen"])
        boxes.append({"databaseId": mid, "id": "x", "name": b["name"], "accountId": db["account"],
                      "displayName": b["name"], "attributes": [], "delimiter": ".", "specialUse": b["special"],
                      "specialRole": b["special"][0] if b["special"] else 0, "mailboxes": [],
                      "syncInBackground": b["bg"], "unread": unread})
    return JSONResponse({"id": db["account"], "email": "alice@example.com", "mailboxes": boxes, "delimiter": "."})


async def sync(request: Request) -> Response:
    _, db = await _user(request)
    mid = int(request.path_params["id"])
    if db is None or mid not in db["mailboxes"]:
        return _forbidden()
    body = await request.json() if await request.body() else {}
    box = db["mailboxes"][mid]
    if not box["cached"]:
        if not body.get("init"):
            return JSONResponse([], status_code=428)
        box["rounds"] -= 1
        if box["rounds"] > 0:
            return JSONResponse({"status": "fail", "data": []}, status_code=202, headers={"x-mail-response": "true"})
        box["cached"] = True
    return JSONResponse({"newMessages": [], "changedMessages": [], "vanishedMessages": [], "stats": {"total": 0}})


# ---------------------------------------------------------------- messages
def _matches(m: dict, filter_: str) -> bool:
    for token in filter_.split():
        kind, _, value = token.partition(":")
        value = unquote(value).lower()
        people = " ".join(f"{a.get('label', '')} {a['email']}" for a in m["from"]).lower()
        if (kind, value) == ("is", "unread") and m["flags"]["seen"]:
            return False
        if (kind, value) == ("is", "starred") and not m["flags"]["flagged"]:
            return False
        if kind == "from" and value not in people:
            return False
        if kind == "subject" and value not in m["subject"].lower():
            return False
        if kind == "start" and m["dateInt"] < int(value):
            return False
        if kind == "end" and m["dateInt"] > int(value):
            return False
    return True


async def messages(request: Request) -> Response:
    _, db = await _user(request)
    q = request.query_params
    try:
        mid = int(q.get("mailboxId", ""))
    except ValueError:
        return _forbidden()
    if db is None or mid not in db["mailboxes"]:
        return _forbidden()
    if not db["mailboxes"][mid]["cached"]:
        return _fail(f"mailbox {mid} is not cached", "MailboxNotCachedException")
    limit = max(1, min(int(q.get("limit") or 1), 100))
    cursor = int(q["cursor"]) if q.get("cursor") else None
    rows = [m for m in db["messages"].values() if m["mailbox"] == mid and _matches(m, q.get("filter", ""))
            and (mid == 24 or not m["flags"]["deleted"])]
    rows.sort(key=lambda m: (-m["dateInt"], -m["id"]))
    if q.get("view") != "singleton":  # threaded: newest message of each thread only
        seen: set[str] = set()
        rows = [m for m in rows if not (m["threadRootId"] in seen or seen.add(m["threadRootId"]))]
    if cursor is not None:
        rows = [m for m in rows if m["dateInt"] < cursor]
    return JSONResponse([_envelope(db, m) for m in rows[:limit]])


def _own(db: dict | None, request: Request) -> dict | None:
    if db is None:
        return None
    return db["messages"].get(int(request.path_params["id"]))


async def thread(request: Request) -> Response:
    _, db = await _user(request)
    m = _own(db, request)
    if m is None:
        return _forbidden()
    if not m["threadRootId"]:
        return JSONResponse([], status_code=404)
    rows = [x for x in db["messages"].values() if x["threadRootId"] == m["threadRootId"]]
    return JSONResponse([_envelope(db, x) for x in sorted(rows, key=lambda x: x["dateInt"])])


async def attachment(request: Request) -> Response:
    _, db = await _user(request)
    m = _own(db, request)
    if m is None:
        return _forbidden()
    part = next((a for a in m["attachments"] if a[0] == request.path_params["aid"]), None)
    if part is None:
        return HTMLResponse("<h1>Internal Server Error</h1>", status_code=500)
    return Response(part[3], media_type=part[2], headers={"Content-Disposition": f'attachment; filename="{part[1]}"'})


async def flags(request: Request) -> Response:
    _, db = await _user(request)
    m = _own(db, request)
    if m is None:
        return _forbidden()
    for key, value in (await request.json()).get("flags", {}).items():
        if key in ("seen", "flagged", "answered", "deleted", "$junk"):
            m["flags"][key] = value in (True, "true", "1", 1)
    return JSONResponse([])


async def create_tag(request: Request) -> Response:
    uid, db = await _user(request)
    body = await request.json()
    name = str(body.get("displayName", ""))
    if len(name) > 128:
        return _fail("The maximum length for displayName is 128", "ClientException")
    label = "$" + name.replace(" ", "_").lower()[:63]
    if db is None:
        return _forbidden()
    if label not in db["tags"]:
        db["tags"][label] = {"id": 50 + len(db["tags"]), "displayName": name, "imapLabel": label,
                             "color": body.get("color", "#000000"), "isDefaultTag": False}
    return JSONResponse({"userId": uid, **db["tags"][label]})


async def message_tag(request: Request) -> Response:
    uid, db = await _user(request)
    m = _own(db, request)
    label = unquote(request.path_params["label"])
    if m is None or label not in db["tags"]:
        return _forbidden()
    if request.method == "PUT" and label not in m["tags"]:
        m["tags"].append(label)
    if request.method == "DELETE" and label in m["tags"]:
        m["tags"].remove(label)
    return JSONResponse({"userId": uid, **db["tags"][label]})


def _relocate(request: Request, db: dict, m: dict, dest: int) -> None:
    del db["messages"][m["id"]]
    moved = {**m, "id": _next(request), "mailbox": dest}
    db["messages"][moved["id"]] = moved


async def move(request: Request) -> Response:
    _, db = await _user(request)
    m = _own(db, request)
    dest = (await request.json()).get("destFolderId")
    if m is None or dest not in db["mailboxes"]:
        return _forbidden()
    _relocate(request, db, m, dest)
    return JSONResponse([])


async def delete(request: Request) -> Response:
    _, db = await _user(request)
    m = _own(db, request)
    if m is None:
        return _forbidden()
    if m["mailbox"] == 24:
        del db["messages"][m["id"]]  # already in the trash: expunged
    else:
        _relocate(request, db, m, 24)
    return JSONResponse([])


# ---------------------------------------------------------------- outbox
async def outbox_create(request: Request) -> Response:
    _, db = await _user(request)
    body = await request.json()
    required = ("accountId", "subject", "bodyPlain", "bodyHtml", "editorBody", "isHtml", "smimeSign", "smimeEncrypt")
    if any(k not in body for k in required):
        return JSONResponse({"message": "missing parameter"}, status_code=400)
    if db is None or body["accountId"] != db["account"]:
        return _fail("Account not found", "ClientException")
    for key in ("to", "cc", "bcc"):
        if not isinstance(body.get(key, []), list) or any("email" not in r for r in body.get(key, [])):
            return _fail("Invalid recipients", "ClientException")
    row = {"id": _next(request), "type": 0, "accountId": db["account"], "aliasId": body.get("aliasId"), "sendAt": None,
           "subject": body["subject"], "bodyPlain": body["bodyPlain"], "bodyHtml": body["bodyHtml"],
           "isHtml": body["isHtml"], "inReplyToMessageId": body.get("inReplyToMessageId"), "to": body.get("to", []),
           "cc": body.get("cc", []), "bcc": body.get("bcc", []), "status": None, "failed": False}
    db["outbox"][row["id"]] = row
    return JSONResponse({"status": "success", "data": row}, status_code=201, headers={"x-mail-response": "true"})


async def outbox_send(request: Request) -> Response:
    _, db = await _user(request)
    row = db["outbox"].get(int(request.path_params["id"])) if db else None
    if row is None:
        return JSONResponse({"status": "fail", "data": []}, status_code=404)
    if get_state(request).data["mail"]["smtp_fail"]:
        row["failed"] = True
        return JSONResponse({"status": "error", "message": "Could not send message", "data": [row], "code": 0},
                            status_code=500, headers={"x-mail-response": "true"})
    del db["outbox"][row["id"]]
    db["sent"].append(row)
    sent = _msg(_next(request), 23, row["subject"], int(time.time()), ALICE, row["to"], cc=row["cc"], seen=True,
                body=row["bodyPlain"] or row["bodyHtml"] or "", in_reply_to=row["inReplyToMessageId"],
                root=row["inReplyToMessageId"])
    db["messages"][sent["id"]] = sent
    for m in db["messages"].values():
        if row["inReplyToMessageId"] and m["messageId"] == row["inReplyToMessageId"]:
            m["flags"]["answered"] = True
    return JSONResponse({"status": "success", "data": "Message sent"}, status_code=202)


# ---------------------------------------------------------------- OCS
async def ocs_message(request: Request) -> Response:
    uid = await current_user(request)
    db = _db(request, uid)
    m = _own(db, request)
    if m is None:
        return ocs_response(request, "Account not found.", status=404, message="")
    data = {"uid": m["id"] + 7000, "messageId": m["messageId"], "from": m["from"], "to": m["to"],
            "replyTo": m["replyTo"], "cc": m["cc"], "bcc": [], "subject": m["subject"], "dateInt": m["dateInt"],
            "flags": {k.lstrip("$"): v for k, v in m["flags"].items()} | {"hasAttachments": bool(m["attachments"])},
            "hasHtmlBody": m["html"], "phishingDetails": {"checks": [], "warning": m["mailbox"] == 24},
            "unsubscribeUrl": None, "attachments": [
                {"id": a[0], "messageId": m["id"] + 7000, "fileName": a[1], "mime": a[2], "size": len(a[3]) * 4 // 3,
                 "cid": None, "disposition": "attachment"} for a in m["attachments"]],
            "inlineAttachments": [], "body": m["body"], "id": m["id"], "isSenderTrusted": False}
    if not m["html"]:
        data["signature"] = None
    return ocs_response(request, data)


async def ocs_raw(request: Request) -> Response:
    uid = await current_user(request)
    m = _own(_db(request, uid), request)
    if m is None:
        return ocs_response(request, "Message, Account or Mailbox not found", status=404, message="")
    sender = m["from"][0]
    source = (f"Return-Path: <{sender['email']}>\r\nMessage-ID: {m['messageId']}\r\nFrom: {sender['label']} "
              f"<{sender['email']}>\r\nSubject: {m['subject']}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
              + m["body"] + "\r\n" + "x" * 2000)
    return ocs_response(request, source)


async def unified_search(request: Request) -> Response:
    uid = await current_user(request)
    state = get_state(request)
    if "mail" not in state.apps:
        return ocs_response(request, [], status=404, message="")
    db = _db(request, uid)
    term = request.query_params.get("term", "").lower()
    limit = int(request.query_params.get("limit", 5))
    cursor = int(request.query_params.get("cursor") or 0)
    rows = sorted((m for m in (db["messages"].values() if db else []) if term in (
        m["subject"] + " " + " ".join(a["email"] + " " + a.get("label", "") for a in m["from"] + m["to"])).lower()),
        key=lambda m: -m["dateInt"])
    if cursor:
        rows = [m for m in rows if m["dateInt"] < cursor]
    page = rows[:limit]
    base = str(request.base_url).rstrip("/")
    entries = [{"thumbnailUrl": "", "title": m["subject"], "subline": m["from"][0].get("label") or m["from"][0]["email"],
                "resourceUrl": f"{base}/index.php/apps/mail/box/{m['mailbox']}/thread/{m['id']}", "icon": "icon-mail",
                "rounded": False, "attributes": {}} for m in page]
    return ocs_response(request, {"name": "Mails", "isPaginated": True, "entries": entries,
                                  "cursor": page[-1]["dateInt"] if page else None})


# ---------------------------------------------------------------- control
async def control_smtp(request: Request) -> Response:
    get_state(request).data["mail"]["smtp_fail"] = bool((await request.json()).get("fail"))
    return JSONResponse({"ok": True})


async def control_disable_for(request: Request) -> Response:
    get_state(request).data["mail"]["disabled_for"] = set((await request.json()).get("uids", []))
    return JSONResponse({"ok": True})


async def control_rounds(request: Request) -> Response:
    body = await request.json()
    get_state(request).data["mail"]["users"]["alice"]["mailboxes"][int(body["mailbox"])]["rounds"] = int(body["rounds"])
    return JSONResponse({"ok": True})


async def control_state(request: Request) -> Response:
    db = get_state(request).data["mail"]["users"]["alice"]
    return JSONResponse({"sent": copy.deepcopy(db["sent"]), "outbox": list(db["outbox"]),
                         "mailboxes": {str(b): sorted(m["id"] for m in db["messages"].values() if m["mailbox"] == b)
                                       for b in db["mailboxes"]},
                         "messages": {str(k): {"tags": v["tags"], "flags": v["flags"]} for k, v in db["messages"].items()}})


def routes(state) -> list[Route]:
    return [
        app_route(f"{API}/accounts", _guarded(accounts)),
        app_route(f"{API}/mailboxes", _guarded(mailboxes)),
        app_route(f"{API}/mailboxes/{{id:int}}/sync", _guarded(sync), methods=["POST"]),
        app_route(f"{API}/messages", _guarded(messages)),
        app_route(f"{API}/messages/{{id:int}}", _guarded(delete), methods=["DELETE"]),
        app_route(f"{API}/messages/{{id:int}}/thread", _guarded(thread)),
        app_route(f"{API}/messages/{{id:int}}/attachment/{{aid}}", _guarded(attachment)),
        app_route(f"{API}/messages/{{id:int}}/flags", _guarded(flags), methods=["PUT"]),
        app_route(f"{API}/messages/{{id:int}}/tags/{{label}}", _guarded(message_tag), methods=["PUT", "DELETE"]),
        app_route(f"{API}/messages/{{id:int}}/move", _guarded(move), methods=["POST"]),
        app_route(f"{API}/tags", _guarded(create_tag), methods=["POST"]),
        app_route(f"{API}/outbox", _guarded(outbox_create), methods=["POST"]),
        app_route(f"{API}/outbox/{{id:int}}", _guarded(outbox_send), methods=["POST"]),
        *ocs_route("/apps/mail/message/{id:int}", ocs_message),
        *ocs_route("/apps/mail/message/{id:int}/raw", ocs_raw),
        *ocs_route("/search/providers/mail/search", unified_search),
        Route("/__fake/mail/smtp", control_smtp, methods=["POST"]),
        Route("/__fake/mail/state", control_state, methods=["GET"]),
        Route("/__fake/mail/rounds", control_rounds, methods=["POST"]),
        Route("/__fake/mail/disable-for", control_disable_for, methods=["POST"]),
    ]
