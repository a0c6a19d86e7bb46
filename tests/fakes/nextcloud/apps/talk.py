"""Talk (spreed) contract fake, from ../shared/nextcloud-api/talk/ (DERIVED samples from nextcloud/spreed sources; the
capability block is the VERBATIM talk-ios fixture, trimmed to what the server reads).

Faithful to what bites clients:
- OCS v2 only; errors have meta.message "" and the reason in data.error (or data []).
- Conversations by token (`[a-z0-9]{4,30}`); a wrong token or a non-member gets 404 data [] and counts as a
  brute-force attempt (talkRoomToken): after BRUTE_FORCE_LIMIT misses every token route answers 429 until reset.
- Chat: lookIntoFuture is required; history is newest first, X-Chat-Last-Given = id of the last RAW row (expired rows
  are dropped after the limit, so pages can be short or empty with 200); an empty batch is 304 with no body;
  lookIntoFuture=1 HOLDS the request up to `timeout` seconds (default 30, clamped to 30) before 304, and with
  setReadMarker (default 1) moves the read marker; lookIntoFuture=1 from 0 returns the beginning of the history.
- messageParameters [] when empty; lastMessage [] for a room without messages; the reaction endpoint answers []
  for no reactions; reaction bookkeeping rows (reaction, reaction_revoked) are written into the history.
- POST chat: blank 400 {"error":"message"}, > 32000 chars 413, bad replyTo 400 {"error":"reply-to"}, read-only 403,
  lobby 412; no dedupe by referenceId; sending moves the sender's read marker.
- POST room: roomType 1 by invite = user id (200 if it exists, 201 new, 403/404 {"error":"invite"}); for 2/3 the
  legacy invite is a GROUP id (404 {"error":"invite"} for a user id); `participants` only with
  conversation-creation-all (else ignored, like older Talk); 202 + invalidParticipants when some failed.
- Control: POST /__fake/talk/features {"disable": [...]} removes capability features; every chat GET's query is
  recorded in GET /__fake/talk/chat-queries; POST /__fake/talk/drop-next-send-answer stores the next message sent and
  then drops the connection (a lost answer).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import current_user, get_state, ocs_response, ocs_route

APP = "spreed"
BRUTE_FORCE_LIMIT = 5
MAX_LENGTH = 32000
TOKEN = re.compile(r"^[a-z0-9]{4,30}$")
GROUPS = {"staff": ["alice", "bob"], "ops": ["bob"]}
FEATURES = [
    "audio", "video", "chat-v2", "conversation-v4", "favorites", "last-room-activity", "system-messages",
    "delete-messages", "mention-flag", "invite-groups-and-mails", "read-only-rooms", "listable-rooms",
    "chat-read-marker", "chat-unread", "webinary-lobby", "chat-replies", "chat-read-status", "room-description",
    "rich-object-sharing", "chat-permission", "react-permission", "silent-send", "chat-get-context", "media-caption",
    "note-to-self", "edit-messages", "chat-read-last", "federation-v1", "chat-reference-id",
    "conversation-creation-all", "archived-conversations-v2", "threads", "reactions",
]
HIDDEN_ROWS = {"reaction", "reaction_revoked", "reaction_deleted", "message_deleted", "message_edited"}
NOW = 1767261800


def _user(state, uid: str) -> dict[str, Any]:
    return {"type": "user", "id": uid, "name": state.user(uid).display_name, "mention-id": uid}


def reset(state) -> None:
    rooms: dict[str, dict[str, Any]] = {}
    t: dict[str, Any] = {"rooms": rooms, "next_msg": 1050, "next_attendee": 60, "next_room": 20, "misses": 0,
                         "disabled": set(), "chat_queries": []}
    state.data["talk"] = t

    def room(token, rid, kind, name, members, **extra):
        r = {"id": rid, "token": token, "type": kind, "name": name, "description": extra.get("description", ""),
             "readOnly": extra.get("readOnly", 0), "lobbyState": extra.get("lobbyState", 0), "lastActivity": NOW - 600,
             "participants": {}, "messages": []}
        for i, (actor_type, actor_id, ptype) in enumerate(members):
            r["participants"][f"{actor_type}/{actor_id}"] = {
                "attendeeId": rid * 10 + i, "actorType": actor_type, "actorId": actor_id, "participantType": ptype,
                "lastReadMessage": extra.get("read", {}).get(actor_id, 0), "sessionIds": []}
        rooms[token] = r
        return r

    apollo = room("k4x9qj2m", 12, 2, "Project Apollo", [("users", "alice", 1), ("users", "bob", 3), ("groups", "ops", 3)],
                  description="Launch planning", read={"alice": 1043, "bob": 1046})
    msgs = [
        (1040, "alice", "Kick-off {actor}", {"actor": "alice"}, "conversation_created", "system"),
        (1041, "alice", "Draft of the checklist is ready", {}, "", "comment"),
        (1042, "alice", "{file}", {"file": ("checklist.pdf", "application/pdf", 48213)}, "", "comment"),
        (1043, "alice", "{actor} added {user}", {"actor": "alice", "user": "bob"}, "user_added", "system"),
        (1044, "bob", "👍", {}, "reaction", "system"),
        (1045, "bob", "Looks good, one typo in step 3", {}, "", "comment"),
        (1046, "bob", "{mention-user1} can you review the **launch checklist**?", {"mention-user1": "alice"}, "", "comment"),
    ]
    for mid, actor, text, params, system, mtype in msgs:
        rendered: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, tuple):
                rendered[key] = {"type": "file", "id": "5421", "name": value[0], "mimetype": value[1],
                                 "size": str(value[2]), "path": f"Talk/{value[0]}", "preview-available": "yes"}
            else:
                rendered[key] = _user(state, value)
        apollo["messages"].append({"id": mid, "actorType": "users", "actorId": actor, "timestamp": NOW - 1000 + mid - 1040,
                                   "message": text, "messageParameters": rendered, "systemMessage": system,
                                   "messageType": mtype, "referenceId": "", "parentId": 1041 if mid == 1045 else None,
                                   "reactions": {"👍": [{"actorType": "users", "actorId": "bob"}]} if mid == 1046 else {},
                                   "expired": False})
    room("a7b2c9de", 7, 1, "bob", [("users", "alice", 1), ("users", "bob", 1)])
    room("r34d0n1y", 8, 2, "Announcements", [("users", "alice", 3), ("users", "bob", 1)], readOnly=1)
    room("w3bn4r01", 9, 3, "Webinar", [("users", "alice", 3), ("users", "bob", 1)], lobbyState=1)


def capabilities(state) -> dict[str, Any]:
    disabled = state.data.get("talk", {}).get("disabled", set())
    return {"spreed": {"features": [f for f in FEATURES if f not in disabled], "features-local": [],
                       "config": {"chat": {"max-length": MAX_LENGTH, "read-privacy": 0}}, "version": "22.0.3"}}


def _t(request: Request) -> dict[str, Any]:
    return get_state(request).data["talk"]


def _fail(request: Request, status: int, error: str | None = None) -> Response:
    return ocs_response(request, {"error": error} if error else [], status=status, message="")


def _message_json(request: Request, room: dict, m: dict, uid: str, with_parent: bool = True) -> dict[str, Any]:
    state = get_state(request)
    out = {"id": m["id"], "token": room["token"], "actorType": m["actorType"], "actorId": m["actorId"],
           "actorDisplayName": state.user(m["actorId"]).display_name, "timestamp": m["timestamp"],
           "message": m["message"], "messageParameters": m["messageParameters"] or [],
           "systemMessage": m["systemMessage"], "messageType": m["messageType"],
           "isReplyable": m["messageType"] == "comment", "referenceId": m["referenceId"],
           "reactions": {k: len(v) for k, v in m["reactions"].items() if v},
           "expirationTimestamp": 0, "markdown": m["messageType"] != "system",
           "threadId": m.get("parentId") or m["id"]}
    mine = [k for k, v in m["reactions"].items() if any(a["actorId"] == uid for a in v)]
    if mine:
        out["reactionsSelf"] = mine
    if with_parent and m.get("parentId"):
        parent = next((p for p in room["messages"] if p["id"] == m["parentId"]), None)
        if parent:
            out["parent"] = _message_json(request, room, parent, uid, with_parent=False)
    return out


def _unread(room: dict, me: dict) -> list[dict]:
    return [m for m in room["messages"] if m["id"] > me["lastReadMessage"] and m["messageType"] == "comment"]


def _room_json(request: Request, room: dict, uid: str) -> dict[str, Any]:
    me = room["participants"].get(f"users/{uid}")
    visible = [m for m in room["messages"] if m["systemMessage"] not in HIDDEN_ROWS and not m["expired"]]
    unread = _unread(room, me) if me else []
    name, display = room["name"], room["name"]
    if room["type"] == 1:
        other = next((p["actorId"] for p in room["participants"].values() if p["actorId"] != uid), uid)
        name, display = other, get_state(request).user(other).display_name
    return {"id": room["id"], "token": room["token"], "type": room["type"], "name": name, "displayName": display,
            "description": room["description"], "actorType": "users", "actorId": uid,
            "attendeeId": me["attendeeId"] if me else 0, "participantType": me["participantType"] if me else 0,
            "permissions": 254 if me else 0, "readOnly": room["readOnly"], "lobbyState": room["lobbyState"],
            "lastActivity": room["lastActivity"], "isFavorite": False, "isArchived": False,
            "unreadMessages": len(unread), "unreadMention": any("mention-user" in m["message"] and any(
                p.get("id") == uid for p in m["messageParameters"].values()) for m in unread),
            "unreadMentionDirect": False, "lastReadMessage": me["lastReadMessage"] if me else 0,
            "lastMessage": _message_json(request, room, visible[-1], uid, with_parent=False) if visible else []}


async def _room_for(request: Request, token: str) -> tuple[str, dict | None, Response | None]:
    """(uid, room, error): 404 (counted for brute force) when unknown or not a participant, 429 past the limit."""
    uid = await current_user(request)
    t = _t(request)
    if t["misses"] >= BRUTE_FORCE_LIMIT:
        return uid, None, ocs_response(request, [], status=429, message="Reached maximum delay")
    room = t["rooms"].get(token) if TOKEN.match(token) else None
    if room is None or f"users/{uid}" not in room["participants"]:
        t["misses"] += 1
        return uid, None, _fail(request, 404)
    return uid, room, None


def _lobby_blocks(room: dict, uid: str) -> bool:
    return bool(room["lobbyState"]) and room["participants"][f"users/{uid}"]["participantType"] not in (1, 2)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return dict(request.query_params)
    if "json" in request.headers.get("content-type", ""):
        return {**dict(request.query_params), **json.loads(raw)}
    return {**dict(request.query_params), **dict(await request.form())}


# ---------------------------------------------------------------- rooms
async def rooms(request: Request) -> Response:
    uid = await current_user(request)
    since = int(request.query_params.get("modifiedSince", 0) or 0)
    out = [_room_json(request, r, uid) for r in _t(request)["rooms"].values()
           if f"users/{uid}" in r["participants"] and r["lastActivity"] >= since]
    return ocs_response(request, out, headers={"X-Nextcloud-Talk-Modified-Before": str(int(time.time()))})


async def one_room(request: Request) -> Response:
    uid, room, err = await _room_for(request, request.path_params["token"])
    return err or ocs_response(request, _room_json(request, room, uid))


def _next_id(request: Request) -> int:
    t = _t(request)
    t["next_msg"] += 1
    return t["next_msg"]


def _post(request: Request, room: dict, actor: str, text: str, params: dict, *, system: str = "",
          reference: str = "", parent: int | None = None) -> dict:
    msg = {"id": _next_id(request), "actorType": "users", "actorId": actor, "timestamp": int(time.time()),
           "message": text, "messageParameters": params, "systemMessage": system,
           "messageType": "system" if system else "comment", "referenceId": reference[:64], "parentId": parent,
           "reactions": {}, "expired": False}
    room["messages"].append(msg)
    room["lastActivity"] = msg["timestamp"]
    return msg


def _add_member(request: Request, room: dict, actor_type: str, actor_id: str, by: str) -> None:
    key = f"{actor_type}/{actor_id}"
    if key in room["participants"]:
        return
    t = _t(request)
    t["next_attendee"] += 1
    room["participants"][key] = {"attendeeId": t["next_attendee"], "actorType": actor_type, "actorId": actor_id,
                                 "participantType": 3, "lastReadMessage": 0, "sessionIds": []}
    state = get_state(request)
    if actor_type == "groups":
        for member in GROUPS[actor_id]:
            _add_member(request, room, "users", member, by)
    elif actor_type == "users":
        _post(request, room, by, "{actor} added {user}", {"actor": _user(state, by), "user": _user(state, actor_id)},
              system="user_added")


async def create_room(request: Request) -> Response:
    uid = await current_user(request)
    state, t = get_state(request), _t(request)
    p = await _body(request)
    kind = int(p.get("roomType", 2))
    if kind == 1:
        other = str(p.get("invite") or "")
        if other == uid:
            return _fail(request, 403, "invite")
        if other not in state.users:
            return _fail(request, 404, "invite")
        for r in t["rooms"].values():
            if r["type"] == 1 and {f"users/{uid}", f"users/{other}"} <= set(r["participants"]):
                return ocs_response(request, _room_json(request, r, uid))
    elif kind not in (2, 3):
        return _fail(request, 400, "type")
    name = str(p.get("roomName") or "").strip()
    if kind != 1 and not name:
        return _fail(request, 400, "name")
    invite = p.get("invite")
    if kind != 1 and invite and invite not in GROUPS:
        return _fail(request, 404, "invite")
    participants = p.get("participants") if "conversation-creation-all" not in t["disabled"] else None
    t["next_room"] += 1
    token = f"r{t['next_room']:03d}x{len(t['rooms']):04d}"
    room = {"id": t["next_room"], "token": token, "type": kind, "name": name if kind != 1 else "",
            "description": str(p.get("description") or ""), "readOnly": 0, "lobbyState": 0,
            "lastActivity": int(time.time()), "participants": {}, "messages": []}
    t["next_attendee"] += 1
    room["participants"][f"users/{uid}"] = {"attendeeId": t["next_attendee"], "actorType": "users", "actorId": uid,
                                            "participantType": 1, "lastReadMessage": 0, "sessionIds": []}
    t["rooms"][token] = room
    _post(request, room, uid, "{actor} created the conversation", {"actor": _user(state, uid)},
          system="conversation_created")
    if kind == 1:
        _add_member(request, room, "users", str(p["invite"]), uid)
        room["participants"][f"users/{p['invite']}"]["participantType"] = 1
    if invite and kind != 1:
        _add_member(request, room, "groups", invite, uid)
    invalid: dict[str, list[str]] = {}
    if isinstance(participants, dict):
        for source, ids in participants.items():
            for actor_id in ids:
                ok = (source == "users" and actor_id in state.users) or (source == "groups" and actor_id in GROUPS) \
                    or (source == "emails" and "@" in actor_id)
                if not ok:
                    invalid.setdefault(source, []).append(actor_id)
                elif source == "emails":
                    room["type"] = 3
                    _add_member(request, room, "emails", actor_id, uid)
                else:
                    _add_member(request, room, source, actor_id, uid)
    for m in room["participants"].values():
        if m["actorId"] == uid:
            m["lastReadMessage"] = room["messages"][-1]["id"]
    data = _room_json(request, room, uid)
    if invalid:
        data["invalidParticipants"] = invalid
        return ocs_response(request, data, status=202)
    return ocs_response(request, data, status=201)


async def participants(request: Request) -> Response:
    uid, room, err = await _room_for(request, request.path_params["token"])
    if err:
        return err
    if _lobby_blocks(room, uid):
        return _fail(request, 412)
    state = get_state(request)
    with_status = request.query_params.get("includeStatus") == "true"
    out = []
    for p in room["participants"].values():
        entry = {"roomToken": room["token"], "inCall": 0, "lastPing": 0, "sessionIds": p["sessionIds"],
                 "participantType": p["participantType"], "attendeeId": p["attendeeId"], "actorId": p["actorId"],
                 "actorType": p["actorType"], "permissions": 254, "attendeePermissions": 0, "attendeePin": "",
                 "phoneNumber": "", "callId": "",
                 "displayName": state.user(p["actorId"]).display_name if p["actorType"] == "users" else p["actorId"]}
        if with_status and p["actorType"] == "users":
            entry.update({"status": "online" if p["actorId"] == uid else "offline", "statusIcon": None,
                          "statusMessage": None, "statusClearAt": None})
        out.append(entry)
    headers = {"X-Nextcloud-Has-User-Statuses": "true"} if with_status else None
    return ocs_response(request, out, headers=headers)


async def add_participant(request: Request) -> Response:
    uid, room, err = await _room_for(request, request.path_params["token"])
    if err:
        return err
    if room["participants"][f"users/{uid}"]["participantType"] not in (1, 2):
        return _fail(request, 403)
    if room["type"] in (1, 5, 6):
        return _fail(request, 400, "room-type")
    p = await _body(request)
    new, source = str(p.get("newParticipant") or ""), str(p.get("source") or "users")
    state = get_state(request)
    if source == "users":
        if new not in state.users:
            return _fail(request, 404, "new-participant")
    elif source == "groups":
        if new not in GROUPS:
            return _fail(request, 404, "new-participant")
    elif source in ("circles", "teams"):
        return _fail(request, 404, "new-participant")
    elif source == "emails":
        if "@" not in new:
            return _fail(request, 400, "email")
        _add_member(request, room, "emails", new, uid)
        if room["type"] == 2:
            room["type"] = 3
            return ocs_response(request, {"type": 3})
        return ocs_response(request, [])
    else:
        return _fail(request, 400, "source")
    _add_member(request, room, source, new, uid)
    return ocs_response(request, [])


# ---------------------------------------------------------------- chat
async def chat(request: Request) -> Response:
    uid, room, err = await _room_for(request, request.path_params["token"])
    if err:
        return err
    if _lobby_blocks(room, uid):
        return _fail(request, 412)
    if request.method == "POST":
        return await _send(request, room, uid)
    q = request.query_params
    _t(request)["chat_queries"].append(dict(q))
    if "lookIntoFuture" not in q:
        return _fail(request, 400)
    future = q["lookIntoFuture"] == "1"
    limit = max(1, min(int(q.get("limit", 100)), 200))
    last = int(q.get("lastKnownMessageId", 0) or 0)
    include = q.get("includeLastKnown", "0") in ("1", "true")
    me = room["participants"][f"users/{uid}"]
    if future:
        if q.get("setReadMarker", "1") in ("1", "true") and last > 0:
            me["lastReadMessage"] = last
        batch = [m for m in room["messages"] if m["id"] > last or (include and m["id"] == last)][:limit]
        if not batch:
            await asyncio.sleep(min(int(q.get("timeout", 30) or 0), 30))  # the long-poll a tool must never trigger
            return Response(status_code=304)
    else:
        older = [m for m in reversed(room["messages"]) if last == 0 or m["id"] < last or (include and m["id"] == last)]
        batch = older[:limit]
        if not batch:
            return Response(status_code=304)
    shown = [_message_json(request, room, m, uid) for m in batch if not m["expired"]]
    return ocs_response(request, shown, headers={"X-Chat-Last-Given": str(batch[-1]["id"]),
                                                 "X-Chat-Last-Common-Read": str(me["lastReadMessage"])})


async def _send(request: Request, room: dict, uid: str) -> Response:
    if room["readOnly"] or room["type"] == 4:
        return _fail(request, 403)
    p = await _body(request)
    text = p.get("message")
    if not isinstance(text, str) or not text.strip():
        return _fail(request, 400, "message")
    if len(text) > MAX_LENGTH:
        return _fail(request, 413, "message")
    reply = p.get("replyTo")
    if reply not in (None, "", 0):
        parent = next((m for m in room["messages"] if m["id"] == int(reply)), None)
        if parent is None or parent["messageType"] != "comment":
            return _fail(request, 400, "reply-to")
    state = get_state(request)
    params: dict[str, Any] = {}

    def mention(match: re.Match) -> str:
        who = match.group(1) or match.group(2)
        if who not in state.users:
            return match.group(0)
        key = f"mention-user{len(params) + 1}"
        params[key] = _user(state, who)
        return "{" + key + "}"

    text = re.sub(r'(?<![\w@])@(?:"([^"]+)"|([\w.\-]+))', mention, text)
    msg = _post(request, room, uid, text, params, reference=str(p.get("referenceId") or ""),
                parent=int(reply) if reply not in (None, "", 0) else None)
    room["participants"][f"users/{uid}"]["lastReadMessage"] = msg["id"]
    if _t(request).pop("drop_next_send_answer", False):
        return _DroppedAnswer()  # stored, but the client never sees the answer
    return ocs_response(request, _message_json(request, room, msg, uid), status=201)


class _DroppedAnswer(Response):
    """The connection breaks after the message was stored (a lost answer)."""

    def __init__(self) -> None:
        super().__init__(status_code=201)

    async def __call__(self, scope, receive, send) -> None:
        from ..app import drop_connection
        await drop_connection(send)


async def read_marker(request: Request) -> Response:
    uid, room, err = await _room_for(request, request.path_params["token"])
    if err:
        return err
    p = await _body(request)
    me = room["participants"][f"users/{uid}"]
    last = p.get("lastReadMessage")
    if last is None:
        if "chat-read-last" in _t(request)["disabled"]:
            return _fail(request, 400)
        last = room["messages"][-1]["id"] if room["messages"] else 0
    me["lastReadMessage"] = int(last)
    data = _room_json(request, room, uid) if "federation-v1" not in _t(request)["disabled"] else []
    return ocs_response(request, data, headers={"X-Chat-Last-Common-Read": str(me["lastReadMessage"])})


# ---------------------------------------------------------------- reactions
async def reaction(request: Request) -> Response:
    uid, room, err = await _room_for(request, request.path_params["token"])
    if err:
        return err
    if _lobby_blocks(room, uid):
        return _fail(request, 412)
    if "reactions" in _t(request)["disabled"]:
        return _fail(request, 404)
    mid = int(request.path_params["message_id"])
    msg = next((m for m in room["messages"] if m["id"] == mid), None)
    state = get_state(request)

    def as_map(only: str | None = None) -> Any:
        out = {k: [{"actorType": "users", "actorId": a["actorId"], "actorDisplayName": state.user(a["actorId"]).display_name,
                    "timestamp": a.get("timestamp", NOW)} for a in v]
               for k, v in msg["reactions"].items() if v and (only is None or k == only)}
        return out or []  # PHP empty array

    if msg is None:
        return _fail(request, 404)
    if request.method == "GET":
        return ocs_response(request, as_map(request.query_params.get("reaction")))
    if room["readOnly"]:
        return _fail(request, 403)
    p = await _body(request)
    emoji = str(p.get("reaction") or "")
    actors = msg["reactions"].setdefault(emoji, [])
    mine = any(a["actorId"] == uid for a in actors)
    if request.method == "POST":
        if msg["messageType"] != "comment" or not emoji:
            return _fail(request, 400)
        if mine:
            return ocs_response(request, as_map())
        actors.append({"actorId": uid, "timestamp": int(time.time())})
        _post(request, room, uid, emoji, {}, system="reaction", parent=mid)
        return ocs_response(request, as_map(), status=201)
    if not mine:
        return _fail(request, 404)
    msg["reactions"][emoji] = [a for a in actors if a["actorId"] != uid]
    _post(request, room, uid, "Reaction deleted by {actor}", {"actor": _user(state, uid)}, system="reaction_revoked")
    return ocs_response(request, as_map())


def share_into_room(state, uid: str, token: str, name: str, mimetype: str, size: int, fileid: int,
                    meta_json: str | None) -> str | None:
    """shareType 10 from the files_sharing fake: posts the {file} message; the room's display name, or None (-> 404)."""
    t = state.data.get("talk")
    room = t["rooms"].get(token) if t else None
    if room is None or f"users/{uid}" not in room["participants"] or room["readOnly"]:
        return None
    meta = json.loads(meta_json) if meta_json else {}
    params = {"actor": _user(state, uid),
              "file": {"type": "file", "id": str(fileid), "name": name, "mimetype": mimetype, "size": str(size),
                       "path": f"Talk/{name}"}}
    t["next_msg"] += 1
    room["messages"].append({"id": t["next_msg"], "actorType": "users", "actorId": uid, "timestamp": int(time.time()),
                             "message": meta.get("caption") or "{file}", "messageParameters": params,
                             "systemMessage": "", "messageType": "comment", "referenceId": "",
                             "parentId": meta.get("replyTo"), "reactions": {}, "expired": False})
    return room["name"]


# ---------------------------------------------------------------- control
async def control_features(request: Request) -> Response:
    body = await request.json()
    get_state(request).data["talk"]["disabled"] = set(body.get("disable", []))
    return JSONResponse({"disabled": sorted(get_state(request).data["talk"]["disabled"])})


async def control_drop_send(request: Request) -> Response:
    _t(request)["drop_next_send_answer"] = True
    return JSONResponse({"ok": True})


async def control_queries(request: Request) -> Response:
    return JSONResponse(get_state(request).data["talk"]["chat_queries"])


async def control_expire(request: Request) -> Response:
    body = await request.json()
    room = get_state(request).data["talk"]["rooms"][body["token"]]
    for m in room["messages"]:
        if m["id"] in body["ids"]:
            m["expired"] = True
    return JSONResponse({"ok": True})


def routes(state) -> list[Route]:
    base = "/apps/spreed/api"
    return [
        *ocs_route(f"{base}/v4/room", rooms, methods=["GET"]),
        *ocs_route(f"{base}/v4/room", create_room, methods=["POST"]),
        *ocs_route(f"{base}/v4/room/{{token}}", one_room, methods=["GET"]),
        *ocs_route(f"{base}/v4/room/{{token}}/participants", participants, methods=["GET"]),
        *ocs_route(f"{base}/v4/room/{{token}}/participants", add_participant, methods=["POST"]),
        *ocs_route(f"{base}/v1/chat/{{token}}", chat, methods=["GET", "POST"]),
        *ocs_route(f"{base}/v1/chat/{{token}}/read", read_marker, methods=["POST"]),
        *ocs_route(f"{base}/v1/reaction/{{token}}/{{message_id:int}}", reaction, methods=["GET", "POST", "DELETE"]),
        Route("/__fake/talk/features", control_features, methods=["POST"]),
        Route("/__fake/talk/chat-queries", control_queries, methods=["GET"]),
        Route("/__fake/talk/drop-next-send-answer", control_drop_send, methods=["POST"]),
        Route("/__fake/talk/expire", control_expire, methods=["POST"]),
    ]
