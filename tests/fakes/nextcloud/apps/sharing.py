"""OCS files_sharing API (`/ocs/v{1,2}.php/apps/files_sharing/api/v1/shares`), from
../shared/nextcloud-api/ocs/POST_v2_shares_link.txt and ocs-share-api.rst: ids are strings, share_type ints,
`expiration` "YYYY-MM-DD 00:00:00" (day granularity), GET shares/{id} answers a list of one, DELETE answers [],
errors 400 (unknown share type), 403, 404 (wrong path, unknown recipient, wrong share id, bad date).
Parameters as form fields or JSON. Paths are checked against the files fake.
"""

from __future__ import annotations

import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..auth import current_user, get_state
from ..ocs import ocs_response
from ..routing import ocs_route

KNOWN_TYPES = {0, 1, 3, 4, 6, 7, 10, 12}
GROUPS = {"staff": ["alice", "bob"]}


def reset(state) -> None:
    state.data["sharing"] = {"shares": {}, "next_id": 16}


async def params(request: Request) -> dict[str, Any]:
    if request.method in ("GET", "DELETE"):
        return dict(request.query_params)
    if "json" in request.headers.get("content-type", ""):
        body = await request.body()
        import json
        return json.loads(body or b"{}")
    form = await request.form()
    return dict(form)


def fail(request: Request, status: int, message: str) -> Response:
    return ocs_response(request, [], status=status, message=message)


def visible(share: dict, uid: str) -> bool:
    return share["uid_owner"] == uid or share.get("share_with") == uid


async def create(request: Request) -> Response:
    uid = await current_user(request)
    state = get_state(request)
    p = await params(request)
    path = str(p.get("path", ""))
    try:
        share_type = int(p.get("shareType", -1))
        permissions = int(p.get("permissions", 1))
    except ValueError:
        return fail(request, 400, "Unknown share type")
    if share_type not in KNOWN_TYPES:
        return fail(request, 400, "Unknown share type")
    files = state.data["files"].tree(uid)
    rel = path.strip("/")
    if not path.startswith("/") or rel not in files or rel == "":
        return fail(request, 404, "Wrong path, file/folder does not exist")
    share_with = p.get("shareWith")
    if share_type == 0 and (share_with not in state.users or share_with == uid):
        return fail(request, 404, "Please specify a valid user")
    if share_type == 1 and share_with not in GROUPS:
        return fail(request, 404, "Please specify a valid group")
    if share_type == 3 and share_with:
        return fail(request, 400, "Unknown share type")
    node = files[rel]
    if share_type == 12:  # a Deck card: the file becomes a `file` attachment of the card
        from . import deck
        try:
            card_id = int(share_with)
        except (TypeError, ValueError):
            return fail(request, 404, "Sharing failed")
        if "deck" not in state.data or not deck.card_visible(state, uid, card_id):
            return fail(request, 404, "Sharing failed")
        mimetype = "httpd/unix-directory" if node.is_dir else node.content_type
        deck.add_file_attachment(state, uid, card_id, rel.rsplit("/", 1)[-1], mimetype, len(node.content),
                                 extended={"path": "/" + rel, "fileid": node.fileid, "filesize": len(node.content),
                                           "mimetype": mimetype})
    expiration = None
    if p.get("expireDate"):
        try:
            date = datetime.date.fromisoformat(str(p["expireDate"]))
        except ValueError:
            return fail(request, 404, "Invalid date, date format must be YYYY-MM-DD")
        if date <= datetime.date.today():
            return fail(request, 404, "Expiration date is in the past")
        expiration = f"{date.isoformat()} 00:00:00"
    d = state.data["sharing"]
    d["next_id"] += 1
    sid = d["next_id"]
    token = f"Tok{sid:012d}" if share_type == 3 else None
    share = {
        "id": str(sid), "share_type": share_type, "uid_owner": uid, "displayname_owner": uid.capitalize(),
        "permissions": permissions if share_type != 3 else 1, "can_edit": True, "can_delete": True,
        "stime": 1724150000 + sid, "parent": None, "expiration": expiration, "token": token,
        "uid_file_owner": uid, "note": "", "label": "", "displayname_file_owner": uid.capitalize(),
        "path": path, "item_type": "folder" if node.is_dir else "file",
        "mimetype": "httpd/unix-directory" if node.is_dir else node.content_type,
        "item_source": node.fileid, "file_source": node.fileid, "file_target": "/" + rel.rsplit("/", 1)[-1],
        "share_with": share_with if share_type != 3 else None,
        "share_with_displayname": (f"Deck card {share_with}" if share_type == 12 else share_with)
        if share_type != 3 else None,
        "url": f"https://cloud.example.com/s/{token}" if token else None,
        "mail_send": 0, "hide_download": 0, "attributes": None,
    }
    d["shares"][sid] = share
    return ocs_response(request, share)


async def listing(request: Request) -> Response:
    uid = await current_user(request)
    d = get_state(request).data["sharing"]
    q = request.query_params
    with_me = q.get("shared_with_me") in ("true", "1")
    path = q.get("path")
    out = []
    for share in d["shares"].values():
        if with_me:
            if share.get("share_with") != uid:
                continue
        elif share["uid_owner"] != uid:
            continue
        if path is not None and share["path"] != path:
            continue
        out.append(share)
    if path is not None and not with_me and path.strip("/") not in get_state(request).data["files"].tree(uid):
        return fail(request, 404, "Wrong path, file/folder does not exist")
    return ocs_response(request, out)


async def one(request: Request) -> Response:
    uid = await current_user(request)
    d = get_state(request).data["sharing"]
    sid = int(request.path_params["id"])
    share = d["shares"].get(sid)
    if share is None or not visible(share, uid):
        return fail(request, 404, "Wrong share ID, share does not exist")
    if request.method == "GET":
        return ocs_response(request, [share])
    if share["uid_owner"] != uid:
        return fail(request, 403, "You are not allowed to edit incoming shares")
    if request.method == "DELETE":
        del d["shares"][sid]
        return ocs_response(request, [])
    p = await params(request)
    if "permissions" in p:
        permissions = int(p["permissions"])
        if permissions < 1 or permissions > 31:
            return fail(request, 400, "Invalid permissions")
        share["permissions"] = permissions
    if "expireDate" in p:
        share["expiration"] = f"{p['expireDate']} 00:00:00"
    return ocs_response(request, share)


def routes(state):
    base = "/apps/files_sharing/api/v1/shares"
    return [
        *ocs_route(base, create, methods=["POST"]),
        *ocs_route(base, listing, methods=["GET"]),
        *ocs_route(base + "/{id:int}", one, methods=["GET", "PUT", "DELETE"]),
    ]
