"""Deck contract fake: REST API v1.0 at /index.php/apps/deck/api/v1.0/... and the OCS comments API
at /ocs/v2.php/apps/deck/api/v1.0/cards/{id}/comments.

Built from ../shared/nextcloud-api/deck/ (nextcloud/deck docs/API.md @b0f6943c) with its quirks:
- entities carry an "ETag" JSON field; GET board/card send it quoted as the ETag header and answer
  If-None-Match with 304 and an empty body (GET_card_304.txt);
- owner is a string in the POST card answer (as documented) and an object elsewhere (as servers send);
- labels[].boardId is a string in GET board / GET label, an integer in POST boards;
- errors are {"status": N, "message": "..."} (error_400.json, error_403.json, PUT_card_assignUser_400.txt);
- comments: see deck_comments.py;
- PUT card takes the full payload: a missing description becomes "", a missing duedate null, a missing
  order 0 (so a client that does not read-merge-write loses data); title, type and owner are required;
- GET /stacks lists cards that are not archived; /stacks/archived lists every stack with its archived cards;
- DELETE attachment without ?type= means type deck_file (a `file` attachment is then not found);
- dependentCards routes exist only when the capability version is >= 1.18.0 (SYNTHESIZED: no sample).
Control: POST /__fake/deck {"version": "1.18.0"} sets the Deck version in capabilities.
"""

from __future__ import annotations

import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import app_route, current_user, get_state, make_etag, quote_etag

APP = "deck"
# Deck 1.18.0 (the first version the reference allows dependent cards on); tests lower it with POST /__fake/deck.
DEFAULT_VERSION = "1.18.0"
API = "/apps/deck/api/v1.0"
DEFAULT_LABELS = [("Finished", "31CC7C"), ("To review", "317CCC"), ("Action needed", "FF7A66"), ("Later", "F1DB50")]


def reset(state) -> None:
    state.data["deck"] = {
        "version": DEFAULT_VERSION, "seq": 0,
        "boards": {}, "stacks": {}, "cards": {}, "labels": {}, "comments": {}, "attachments": {},
    }


def capabilities(state) -> dict[str, Any]:
    return {"deck": {"version": state.data["deck"]["version"], "canCreateBoards": True, "apiVersions": ["1.0", "1.1"]}}


def _db(request: Request) -> dict[str, Any]:
    return get_state(request).data["deck"]


def _next(db: dict[str, Any]) -> int:
    db["seq"] += 1
    return db["seq"]


def _now() -> int:
    return int(time.time())


class DeckError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "message": message}, status_code=status)


def _version_at_least(version: str, minimum: str) -> bool:
    def parts(v: str) -> list[int]:
        return [int(re.match(r"\d*", p).group() or 0) for p in v.split(".")[:3]] + [0] * 3

    return parts(version)[:3] >= parts(minimum)[:3]


# ---------------------------------------------------------------- serialisation
def _user(state, uid: str) -> dict[str, str]:
    return {"primaryKey": uid, "uid": uid, "displayname": state.user(uid).display_name}


def _label_json(label: dict[str, Any], board_id_as_string: bool = False) -> dict[str, Any]:
    return {"title": label["title"], "color": label["color"],
            "boardId": str(label["boardId"]) if board_id_as_string else label["boardId"],
            "cardId": None, "id": label["id"]}


def _card_json(request: Request, card: dict[str, Any], owner_as_string: bool = False) -> dict[str, Any]:
    db, state = _db(request), get_state(request)
    labels = [_label_json(db["labels"][lid]) for lid in card["labels"] if lid in db["labels"]]
    assigned = [{"id": a["id"], "participant": _user(state, a["uid"]), "cardId": card["id"], "type": 0}
                for a in card["assigned"]]
    body = {
        "title": card["title"], "description": card["description"], "stackId": card["stackId"],
        "type": card["type"], "lastModified": card["lastModified"], "createdAt": card["createdAt"],
        "labels": labels or None, "assignedUsers": assigned or None, "attachments": None,
        "attachmentCount": len([a for a in db["attachments"].values() if a["cardId"] == card["id"] and not a["deletedAt"]]),
        "owner": card["owner"] if owner_as_string else _user(state, card["owner"]),
        "order": card["order"], "archived": card["archived"], "done": card["done"], "duedate": card["duedate"],
        "deletedAt": 0, "commentsUnread": 0, "id": card["id"], "overdue": 0,
        "ETag": _card_etag(card),
    }
    if _version_at_least(db["version"], "1.18.0"):
        body["dependentCards"] = list(card["dependencies"])
    return body


def _card_etag(card: dict[str, Any]) -> str:
    return make_etag("card", card["id"], card["lastModified"], card["title"], card["description"], card["stackId"],
                     card["order"], card["archived"], card["done"], card["duedate"], tuple(card["labels"]),
                     tuple(a["uid"] for a in card["assigned"]))


def _stack_json(request: Request, stack: dict[str, Any], archived: bool = False) -> dict[str, Any]:
    db = _db(request)
    cards = sorted((c for c in db["cards"].values() if c["stackId"] == stack["id"] and c["archived"] == archived),
                   key=lambda c: (c["order"], c["id"]))
    return {"title": stack["title"], "boardId": stack["boardId"], "deletedAt": 0, "lastModified": stack["lastModified"],
            "cards": [_card_json(request, c) for c in cards], "order": stack["order"], "id": stack["id"],
            "ETag": make_etag("stack", stack["id"], stack["lastModified"], len(cards))}


def _board_json(request: Request, board: dict[str, Any], label_board_id_as_string: bool = True) -> dict[str, Any]:
    db, state = _db(request), get_state(request)
    labels = [_label_json(db["labels"][lid], label_board_id_as_string) for lid in board["labels"] if lid in db["labels"]]
    acl = [{"participant": _user(state, uid), "type": 0, "boardId": board["id"], "permissionEdit": True,
            "permissionShare": False, "permissionManage": False, "owner": False, "id": i + 1}
           for i, uid in enumerate(board["members"])]
    return {
        "title": board["title"], "owner": _user(state, board["owner"]), "color": board["color"],
        "archived": board["archived"], "labels": labels, "acl": acl,
        "permissions": {"PERMISSION_READ": True, "PERMISSION_EDIT": True, "PERMISSION_MANAGE": True, "PERMISSION_SHARE": True},
        "users": [_user(state, uid) for uid in [board["owner"], *board["members"]]],
        "shared": 0, "deletedAt": board["deletedAt"], "id": board["id"], "lastModified": board["lastModified"],
        "settings": {"notify-due": "off", "calendar": True},
        "ETag": make_etag("board", board["id"], board["lastModified"], tuple(board["labels"]), tuple(board["members"])),
    }


def _with_etag(request: Request, body: dict[str, Any]) -> Response:
    etag = quote_etag(body["ETag"])
    inm = request.headers.get("if-none-match")
    if inm is not None and any(quote_etag(t.strip()) == etag for t in inm.split(",") if t.strip()):
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse(body, headers={"ETag": etag})


# ---------------------------------------------------------------- lookups with permissions
def _board(request: Request, uid: str, board_id: int) -> dict[str, Any]:
    board = _db(request)["boards"].get(board_id)
    if board is None or board["deletedAt"]:
        raise DeckError(404, "Board not found")
    if uid != board["owner"] and uid not in board["members"]:
        raise DeckError(403, "Permission denied")
    return board


def _stack(request: Request, uid: str, board_id: int, stack_id: int) -> dict[str, Any]:
    _board(request, uid, board_id)
    stack = _db(request)["stacks"].get(stack_id)
    if stack is None:
        raise DeckError(404, "Stack not found")
    if stack["boardId"] != board_id:
        raise DeckError(403, "Permission denied")
    return stack


def _card(request: Request, uid: str, card_id: int) -> dict[str, Any]:
    """Deck checks permissions on the card id itself (the board/stack in the URL are not verified)."""
    db = _db(request)
    card = db["cards"].get(card_id)
    if card is None:
        raise DeckError(404, "Card not found")
    stack = db["stacks"][card["stackId"]]
    _board(request, uid, stack["boardId"])
    return card


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise DeckError(400, "Invalid JSON body") from None
    if not isinstance(body, dict):
        raise DeckError(400, "Invalid JSON body")
    return body


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DeckError(400, f"{what} must be a number") from None


def endpoint(fn):
    async def wrapped(request: Request) -> Response:
        uid = await current_user(request)
        params = {k: int(v) if str(v).isdigit() else v for k, v in request.path_params.items()}
        try:
            return await fn(request, uid, **params)
        except DeckError as exc:
            return error(exc.status, exc.message)
    wrapped.__name__ = fn.__name__
    return wrapped


# ---------------------------------------------------------------- boards
@endpoint
async def boards(request: Request, uid: str) -> Response:
    db = _db(request)
    if request.method == "POST":
        body = await _json_body(request)
        title = (body.get("title") or "").strip()
        if not title:
            raise DeckError(400, "title must be provided")
        color = body.get("color") or ""
        if not re.fullmatch(r"[0-9a-fA-F]{6}", color):
            raise DeckError(400, "color must be provided")
        bid = _next(db)
        board = {"id": bid, "title": title, "color": color, "owner": uid, "archived": False, "members": [],
                 "labels": [], "deletedAt": 0, "lastModified": _now()}
        db["boards"][bid] = board
        for t, c in DEFAULT_LABELS:
            lid = _next(db)
            db["labels"][lid] = {"id": lid, "title": t, "color": c, "boardId": bid}
            board["labels"].append(lid)
        return JSONResponse(_board_json(request, board, label_board_id_as_string=False))
    visible = [b for b in db["boards"].values() if uid == b["owner"] or uid in b["members"]]
    return JSONResponse([_board_json(request, b) for b in visible], headers={"ETag": quote_etag(make_etag("boards", len(visible)))})


@endpoint
async def board(request: Request, uid: str, board_id: int) -> Response:
    b = _board(request, uid, board_id)
    if request.method == "DELETE":
        b["deletedAt"] = _now()
        return JSONResponse(_board_json(request, b))
    if request.method == "PUT":
        body = await _json_body(request)
        if not (body.get("title") or "").strip():
            raise DeckError(400, "title must be provided")
        b.update(title=body["title"], color=body.get("color", b["color"]), archived=bool(body.get("archived", False)),
                 lastModified=_now())
    return _with_etag(request, _board_json(request, b))


@endpoint
async def board_acl(request: Request, uid: str, board_id: int) -> Response:
    b = _board(request, uid, board_id)
    if uid != b["owner"]:
        raise DeckError(403, "Permission denied")
    body = await _json_body(request)
    participant = body.get("participant")
    if participant not in get_state(request).users:
        raise DeckError(400, "Invalid participant")
    if participant not in b["members"]:
        b["members"].append(participant)
    return JSONResponse([a for a in _board_json(request, b)["acl"] if a["participant"]["uid"] == participant])


# ---------------------------------------------------------------- stacks
@endpoint
async def stacks(request: Request, uid: str, board_id: int) -> Response:
    db = _db(request)
    _board(request, uid, board_id)
    if request.method == "POST":
        body = await _json_body(request)
        title = (body.get("title") or "").strip()
        if not title:
            raise DeckError(400, "title must be provided")
        order = _int(body.get("order"), "order")
        sid = _next(db)
        db["stacks"][sid] = {"id": sid, "title": title, "boardId": board_id, "order": order, "lastModified": _now()}
        return JSONResponse(_stack_json(request, db["stacks"][sid]))
    items = sorted((s for s in db["stacks"].values() if s["boardId"] == board_id), key=lambda s: (s["order"], s["id"]))
    return JSONResponse([_stack_json(request, s) for s in items])


@endpoint
async def archived_stacks(request: Request, uid: str, board_id: int) -> Response:
    db = _db(request)
    _board(request, uid, board_id)
    items = sorted((s for s in db["stacks"].values() if s["boardId"] == board_id), key=lambda s: (s["order"], s["id"]))
    return JSONResponse([_stack_json(request, s, archived=True) for s in items])


@endpoint
async def stack(request: Request, uid: str, board_id: int, stack_id: int) -> Response:
    db = _db(request)
    s = _stack(request, uid, board_id, stack_id)
    if request.method == "DELETE":
        for cid in [c["id"] for c in db["cards"].values() if c["stackId"] == stack_id]:
            del db["cards"][cid]
        del db["stacks"][stack_id]
        return JSONResponse({**s, "deletedAt": _now(), "cards": []})
    if request.method == "PUT":
        body = await _json_body(request)
        title = (body.get("title") or "").strip()
        if not title:
            raise DeckError(400, "title must be provided")
        s.update(title=title, order=_int(body.get("order"), "order"), lastModified=_now())
    return JSONResponse(_stack_json(request, s))


# ---------------------------------------------------------------- cards
@endpoint
async def cards(request: Request, uid: str, board_id: int, stack_id: int) -> Response:
    db = _db(request)
    _stack(request, uid, board_id, stack_id)
    body = await _json_body(request)
    title = (body.get("title") or "").strip()
    if not title:
        raise DeckError(400, "title must be provided")
    cid = _next(db)
    card = {"id": cid, "title": title, "description": body.get("description") or "", "stackId": stack_id,
            "type": body.get("type") or "plain", "order": _int(body.get("order", 999), "order"),
            "duedate": body.get("duedate"), "archived": False, "done": None, "owner": uid, "labels": [],
            "assigned": [], "dependencies": [], "createdAt": _now(), "lastModified": _now()}
    db["cards"][cid] = card
    # docs/API.md shows the owner as a plain string in this answer.
    return JSONResponse(_card_json(request, card, owner_as_string=True))


@endpoint
async def card(request: Request, uid: str, board_id: int, stack_id: int, card_id: int) -> Response:
    db = _db(request)
    c = _card(request, uid, card_id)
    if request.method == "GET":
        if c["stackId"] != stack_id:
            raise DeckError(404, "Card not found")
        return _with_etag(request, _card_json(request, c))
    if request.method == "DELETE":
        del db["cards"][card_id]
        return JSONResponse({**_card_json(request, c), "deletedAt": _now()})
    # PUT: the full payload; the stack in the URL is where the card ends up.
    target = _stack(request, uid, board_id, stack_id)
    body = await _json_body(request)
    title = (body.get("title") or "").strip()
    if not title:
        raise DeckError(400, "title must be provided")
    if not body.get("type"):
        raise DeckError(400, "type must be provided")
    if not body.get("owner"):
        raise DeckError(400, "owner must be provided")
    archived = body.get("archived")
    if c["archived"] and archived is not False:
        raise DeckError(400, "Operation not allowed. This card is archived.")
    old_board = db["stacks"][c["stackId"]]["boardId"]
    c.update(title=title, type=body["type"], description=body.get("description") or "",
             order=_int(body.get("order", 0) or 0, "order"), duedate=body.get("duedate"),
             stackId=target["id"], lastModified=_now())
    if archived is not None:
        c["archived"] = bool(archived)
    if "done" in body:
        c["done"] = body["done"] or None
    if target["boardId"] != old_board:
        c["labels"] = [lid for lid in c["labels"] if db["labels"].get(lid, {}).get("boardId") == target["boardId"]]
    return JSONResponse(_card_json(request, c))


async def _card_at(request: Request, uid: str, board_id: int, stack_id: int, card_id: int) -> dict[str, Any]:
    _stack(request, uid, board_id, stack_id)
    c = _card(request, uid, card_id)
    if c["stackId"] != stack_id:
        raise DeckError(404, "Card not found")
    return c


def _card_action(action: str):
    @endpoint
    async def handler(request: Request, uid: str, board_id: int, stack_id: int, card_id: int) -> Response:
        db = _db(request)
        c = await _card_at(request, uid, board_id, stack_id, card_id)
        if action in ("archive", "unarchive"):
            c["archived"] = action == "archive"
            c["lastModified"] = _now()
            return JSONResponse(_card_json(request, c))
        body = await _json_body(request)
        board = db["boards"][db["stacks"][c["stackId"]]["boardId"]]
        if action == "reorder":
            if c["archived"]:
                raise DeckError(400, "Operation not allowed. This card is archived.")
            target = _stack(request, uid, board["id"], _int(body.get("stackId"), "stack id"))
            order = _int(body.get("order"), "order")
            others = sorted((x for x in db["cards"].values() if x["stackId"] == target["id"] and x["id"] != card_id
                             and not x["archived"]), key=lambda x: (x["order"], x["id"]))
            others.insert(min(max(order, 0), len(others)), c)
            c["stackId"] = target["id"]
            for i, x in enumerate(others):
                x["order"] = i
            c["lastModified"] = _now()
            return JSONResponse([_card_json(request, x) for x in others])
        if action in ("assignLabel", "removeLabel"):
            lid = _int(body.get("labelId"), "label id")
            label = db["labels"].get(lid)
            if label is None or label["boardId"] != board["id"]:
                raise DeckError(400, "Operation not allowed. Label does not exist.")
            if action == "assignLabel" and lid not in c["labels"]:
                c["labels"].append(lid)
            if action == "removeLabel" and lid in c["labels"]:
                c["labels"].remove(lid)
            c["lastModified"] = _now()
            return JSONResponse(None)
        # assignUser / unassignUser
        user_id = body.get("userId")
        if not user_id:
            raise DeckError(400, "user id must be provided")
        assigned = [a for a in c["assigned"] if a["uid"] == user_id]
        if action == "assignUser":
            if assigned:
                raise DeckError(400, "The user is already assigned to the card")
            if user_id != board["owner"] and user_id not in board["members"]:
                raise DeckError(400, "The user is not part of the board")
            a = {"id": _next(db), "uid": user_id}
            c["assigned"].append(a)
            return JSONResponse({"id": a["id"], "participant": _user(get_state(request), user_id), "cardId": c["id"]})
        if not assigned:
            raise DeckError(404, f"No assignment for {user_id} found.")
        c["assigned"].remove(assigned[0])
        return JSONResponse({"id": assigned[0]["id"], "participant": _user(get_state(request), user_id), "cardId": c["id"]})

    handler.__name__ = f"card_{action}"
    return handler


@endpoint
async def dependent_card(request: Request, uid: str, board_id: int, stack_id: int, card_id: int, dep_id: int) -> Response:
    db = _db(request)
    if not _version_at_least(db["version"], "1.18.0"):
        # No such route before dependent cards existed: Nextcloud's HTML 404 page.
        return Response("<html><body><h2>Page not found</h2></body></html>", status_code=404, media_type="text/html")
    c = await _card_at(request, uid, board_id, stack_id, card_id)
    _card(request, uid, dep_id)
    if request.method == "POST":
        if dep_id not in c["dependencies"]:
            c["dependencies"].append(dep_id)
    elif dep_id in c["dependencies"]:
        c["dependencies"].remove(dep_id)
    else:
        raise DeckError(404, "Dependency not found")
    return JSONResponse(_card_json(request, c))


# ---------------------------------------------------------------- labels
@endpoint
async def labels(request: Request, uid: str, board_id: int) -> Response:
    db = _db(request)
    b = _board(request, uid, board_id)
    body = await _json_body(request)
    title = (body.get("title") or "").strip()
    if not title:
        raise DeckError(400, "title must be provided")
    color = body.get("color") or ""
    if not re.fullmatch(r"[0-9a-fA-F]{6}", color):
        raise DeckError(400, "color must be provided")
    if any(db["labels"][lid]["title"] == title for lid in b["labels"]):
        raise DeckError(400, "A label with this title already exists on the board")
    lid = _next(db)
    db["labels"][lid] = {"id": lid, "title": title, "color": color, "boardId": board_id}
    b["labels"].append(lid)
    return JSONResponse(_label_json(db["labels"][lid]))


@endpoint
async def label(request: Request, uid: str, board_id: int, label_id: int) -> Response:
    db = _db(request)
    b = _board(request, uid, board_id)
    lab = db["labels"].get(label_id)
    if lab is None or lab["boardId"] != board_id:
        raise DeckError(404, "Label not found")
    if request.method == "DELETE":
        del db["labels"][label_id]
        b["labels"].remove(label_id)
        for c in db["cards"].values():
            if label_id in c["labels"]:
                c["labels"].remove(label_id)
        return JSONResponse(_label_json(lab))
    if request.method == "PUT":
        body = await _json_body(request)
        title = (body.get("title") or "").strip()
        color = body.get("color") or ""
        if not title:
            raise DeckError(400, "title must be provided")
        if not re.fullmatch(r"[0-9a-fA-F]{6}", color):
            raise DeckError(400, "color must be provided")
        lab.update(title=title, color=color)
        return JSONResponse(_label_json(lab))
    return JSONResponse(_label_json(lab, board_id_as_string=True))


# ---------------------------------------------------------------- attachments
def _attachment_json(a: dict[str, Any]) -> dict[str, Any]:
    base, _, ext = a["data"].rpartition(".")
    return {"cardId": a["cardId"], "type": a["type"], "data": a["data"], "lastModified": a["createdAt"],
            "createdAt": a["createdAt"], "createdBy": a["createdBy"], "deletedAt": a["deletedAt"],
            "extendedData": {"filesize": a.get("size", 1024), "mimetype": a.get("mimetype", "application/octet-stream"),
                             "info": {"dirname": ".", "basename": a["data"], "extension": ext, "filename": base or a["data"]},
                             **{k: v for k, v in a.get("extendedData", {}).items() if k in ("path", "fileid")}},
            "id": a["id"]}


@endpoint
async def attachments(request: Request, uid: str, board_id: int, stack_id: int, card_id: int) -> Response:
    await _card_at(request, uid, board_id, stack_id, card_id)
    items = [a for a in _db(request)["attachments"].values() if a["cardId"] == card_id]
    return JSONResponse([_attachment_json(a) for a in items], headers={"ETag": quote_etag(make_etag("att", card_id, len(items)))})


@endpoint
async def attachment(request: Request, uid: str, board_id: int, stack_id: int, card_id: int, attachment_id: int) -> Response:
    await _card_at(request, uid, board_id, stack_id, card_id)
    kind = request.query_params.get("type", "deck_file")
    a = _db(request)["attachments"].get(attachment_id)
    if a is None or a["cardId"] != card_id or a["type"] != kind or a["deletedAt"]:
        raise DeckError(404, "Attachment not found")
    del _db(request)["attachments"][attachment_id]
    return JSONResponse(_attachment_json(a))


def add_file_attachment(state, uid: str, card_id: int, name: str, mimetype: str, size: int,
                        extended: dict | None = None) -> None:
    """Used by the files_sharing fallback: a shareType=12 share makes a `file` attachment. `extended` is Deck's
    extendedData of a file attachment (path relative to the user's folder, fileid, filesize, mimetype)."""
    db = state.data["deck"]
    aid = _next(db)
    db["attachments"][aid] = {"id": aid, "cardId": card_id, "type": "file", "data": name, "createdAt": _now(),
                              "createdBy": uid, "deletedAt": 0, "mimetype": mimetype, "size": size}
    if extended is not None:
        db["attachments"][aid]["extendedData"] = extended


def card_visible(state, uid: str, card_id: int) -> bool:
    db = state.data["deck"]
    c = db["cards"].get(card_id)
    if c is None:
        return False
    b = db["boards"][db["stacks"][c["stackId"]]["boardId"]]
    return uid == b["owner"] or uid in b["members"]


# ---------------------------------------------------------------- control
async def control(request: Request) -> Response:
    db = get_state(request).data["deck"]
    if request.method == "POST":
        body = await request.json()
        db["version"] = body.get("version", db["version"])
    return JSONResponse({"version": db["version"]})


def routes(state) -> list[Any]:
    card_base = API + "/boards/{board_id:int}/stacks/{stack_id:int}/cards/{card_id:int}"
    out: list[Any] = [
        Route("/__fake/deck", control, methods=["GET", "POST"]),
        app_route(API + "/boards", boards, methods=["GET", "POST"]),
        app_route(API + "/boards/{board_id:int}", board, methods=["GET", "PUT", "DELETE"]),
        app_route(API + "/boards/{board_id:int}/acl", board_acl, methods=["POST"]),
        app_route(API + "/boards/{board_id:int}/stacks", stacks, methods=["GET", "POST"]),
        app_route(API + "/boards/{board_id:int}/stacks/archived", archived_stacks, methods=["GET"]),
        app_route(API + "/boards/{board_id:int}/stacks/{stack_id:int}", stack, methods=["GET", "PUT", "DELETE"]),
        app_route(API + "/boards/{board_id:int}/stacks/{stack_id:int}/cards", cards, methods=["POST"]),
        app_route(card_base, card, methods=["GET", "PUT", "DELETE"]),
        app_route(card_base + "/attachments", attachments, methods=["GET"]),
        app_route(card_base + "/attachments/{attachment_id:int}", attachment, methods=["DELETE"]),
        app_route(card_base + "/dependentCards/{dep_id:int}", dependent_card, methods=["POST", "DELETE"]),
        app_route(API + "/boards/{board_id:int}/labels", labels, methods=["POST"]),
        app_route(API + "/boards/{board_id:int}/labels/{label_id:int}", label, methods=["GET", "PUT", "DELETE"]),
    ]
    for action in ("archive", "unarchive", "reorder", "assignLabel", "removeLabel", "assignUser", "unassignUser"):
        out.append(app_route(f"{card_base}/{action}", _card_action(action), methods=["PUT"]))
    return out
