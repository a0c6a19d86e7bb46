"""Deck contract fake, part 2: the OCS comments API at /ocs/v{1,2}.php/apps/deck/api/v1.0/cards/{id}/comments
(deck/ocs_*_card_comment*.txt): ids are strings in create/update answers and integers in the list;
the list is newest first with limit/offset and a replyTo object; the 1000-character limit
(IComment::MAX_MESSAGE_LENGTH, counted in code points like mb_strlen) is enforced with an OCS 400;
only authors may edit or delete (403).
"""

from __future__ import annotations

import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import current_user, get_state, ocs_response, ocs_route
from .deck import API, DeckError, _card, _db, _next

APP = "deck"
MAX_COMMENT = 1000


# ---------------------------------------------------------------- comments (OCS)
def _comment_json(request: Request, cm: dict[str, Any], ids_as_strings: bool = False, with_reply: bool = True) -> dict[str, Any]:
    state = get_state(request)
    mentions = [{"mentionId": m, "mentionType": "user", "mentionDisplayName": state.user(m).display_name}
                for m in dict.fromkeys(re.findall(r'(?<![\w@])@(?:"([^"]+)"|([\w.\-]+))', cm["message"]))
                for m in [m[0] or m[1]] if m in state.users]
    out = {"id": str(cm["id"]) if ids_as_strings else cm["id"],
           "objectId": str(cm["cardId"]) if ids_as_strings else cm["cardId"],
           "message": cm["message"], "actorId": cm["actor"], "actorType": "users",
           "actorDisplayName": state.user(cm["actor"]).display_name, "creationDateTime": cm["created"],
           "mentions": mentions}
    parent = _db(request)["comments"].get(cm.get("parentId") or 0)
    if with_reply and parent is not None:
        out["replyTo"] = _comment_json(request, parent, with_reply=False)
    return out


def _ocs_card(request: Request, uid: str, card_id: int) -> dict[str, Any] | Response:
    try:
        return _card(request, uid, card_id)
    except DeckError as exc:
        return ocs_response(request, [], status=exc.status, message=exc.message)


def _check_message(request: Request, message: Any) -> Response | None:
    if not isinstance(message, str) or not message.strip():
        return ocs_response(request, [], status=400, message="message must be provided")
    if len(message) > MAX_COMMENT:  # Python len() counts code points, like mb_strlen
        return ocs_response(request, [], status=400,
                            message=f"The comment must not be longer than {MAX_COMMENT} characters")
    return None


async def comments(request: Request) -> Response:
    uid = await current_user(request)
    card_id = int(request.path_params["card_id"])
    found = _ocs_card(request, uid, card_id)
    if isinstance(found, Response):
        return found
    db = _db(request)
    if request.method == "POST":
        body = await request.json()
        bad = _check_message(request, body.get("message"))
        if bad is not None:
            return bad
        parent = body.get("parentId")
        if parent is not None:
            p = db["comments"].get(int(parent))
            if p is None or p["cardId"] != card_id:
                return ocs_response(request, [], status=400, message="Invalid parent id")
        cid = 100 + _next(db)
        db["comments"][cid] = {"id": cid, "cardId": card_id, "message": body["message"], "actor": uid,
                               "parentId": int(parent) if parent is not None else None,
                               "created": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), "seq": cid}
        return ocs_response(request, _comment_json(request, db["comments"][cid], ids_as_strings=True))
    limit = int(request.query_params.get("limit", 20))
    offset = int(request.query_params.get("offset", 0))
    items = sorted((c for c in db["comments"].values() if c["cardId"] == card_id), key=lambda c: -c["seq"])
    return ocs_response(request, [_comment_json(request, c) for c in items[offset:offset + limit]])


async def comment(request: Request) -> Response:
    uid = await current_user(request)
    card_id, comment_id = int(request.path_params["card_id"]), int(request.path_params["comment_id"])
    found = _ocs_card(request, uid, card_id)
    if isinstance(found, Response):
        return found
    db = _db(request)
    cm = db["comments"].get(comment_id)
    if cm is None or cm["cardId"] != card_id:
        return ocs_response(request, [], status=404, message="Comment not found")
    if cm["actor"] != uid:
        return ocs_response(request, [], status=403, message="Only authors are allowed to edit their comment.")
    if request.method == "DELETE":
        del db["comments"][comment_id]
        return ocs_response(request, [])
    body = await request.json()
    bad = _check_message(request, body.get("message"))
    if bad is not None:
        return bad
    cm["message"] = body["message"]
    return ocs_response(request, _comment_json(request, cm, ids_as_strings=True, with_reply=False))


def routes(state) -> list[Any]:
    return [
        *ocs_route(API + "/cards/{card_id:int}/comments", comments, methods=["GET", "POST"]),
        *ocs_route(API + "/cards/{card_id:int}/comments/{comment_id:int}", comment, methods=["PUT", "DELETE"]),
    ]
