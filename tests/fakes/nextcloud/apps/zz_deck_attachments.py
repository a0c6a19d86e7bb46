"""Fallback peers of Deck attachments, used only while no fuller fake serves these routes (modules are
discovered alphabetically and the first matching route wins, so a files_sharing or notes fake added
later takes precedence):

- POST /ocs/v{1,2}.php/apps/files_sharing/api/v1/shares with shareType=12 (a Deck card share, which
  makes the file a `file` attachment of the card). Only shareType 12 is served here. Unknown paths
  answer OCS 404 "Wrong path, file/folder does not exist" (ocs-share-api.rst); a card the user cannot
  see answers OCS 404 "Sharing failed".
- GET /index.php/apps/notes/api/v1/notes/{id} and /settings for the seeded notes of `alice`
  (shapes from notes/GET_note.txt and notes/GET_settings.txt).

Seeded files per user: /Documents/report.pdf, /Notes/Shopping.md, /Notes/Work/Plan.md.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import app_route, current_user, get_state, ocs_response, ocs_route
from . import deck

FILES = {"/Documents/report.pdf": ("application/pdf", 48213), "/Notes/Shopping.md": ("text/markdown", 120),
         "/Notes/Work/Plan.md": ("text/markdown", 300)}
NOTES = {
    1: {"id": 1, "etag": "be3b4e5b8ba06b5b3fd8d3e4d7b62a3f", "readonly": False, "modified": 1701800000,
        "title": "Shopping", "category": "", "content": "# Shopping\n- milk", "favorite": False},
    2: {"id": 2, "etag": "0e5b79b7d5b8f6bc8c1f1d6f0b4f4d1a", "readonly": False, "modified": 1701800100,
        "title": "Plan", "category": "Work", "content": "# Plan", "favorite": False},
}


def reset(state) -> None:
    state.data["deck_shares"] = {"seq": 0}


async def create_share(request: Request) -> Response:
    uid = await current_user(request)
    body: dict[str, Any] = {}
    if "json" in request.headers.get("content-type", ""):
        body = await request.json()
    else:
        body = dict(await request.form())
    if str(body.get("shareType")) != "12":
        return ocs_response(request, [], status=400, message="only shareType 12 (Deck) is served by this fallback fake")
    path = "/" + str(body.get("path", "")).strip("/")
    if path not in FILES:
        return ocs_response(request, [], status=404, message="Wrong path, file/folder does not exist")
    state = get_state(request)
    try:
        card_id = int(body.get("shareWith"))
    except (TypeError, ValueError):
        return ocs_response(request, [], status=404, message="Sharing failed")
    if not deck.card_visible(state, uid, card_id):
        return ocs_response(request, [], status=404, message="Sharing failed")
    mimetype, size = FILES[path]
    deck.add_file_attachment(state, uid, card_id, path.rsplit("/", 1)[-1], mimetype, size)
    state.data["deck_shares"]["seq"] += 1
    sid = state.data["deck_shares"]["seq"]
    return ocs_response(request, {
        "id": str(sid), "share_type": 12, "uid_owner": uid, "displayname_owner": state.user(uid).display_name,
        "permissions": 19, "stime": 1701800000, "path": path, "item_type": "file", "mimetype": mimetype,
        "file_target": "/{DECK_PLACEHOLDER}/" + path.rsplit("/", 1)[-1], "share_with": str(card_id),
        "share_with_displayname": f"Deck card {card_id}",
    })


async def note(request: Request) -> Response:
    uid = await current_user(request)
    n = NOTES.get(int(request.path_params["note_id"]))
    if uid != "alice" or n is None:
        return JSONResponse({"errorType": "Exception"}, status_code=404)
    return JSONResponse(n, headers={"ETag": f'"{n["etag"]}"'})


async def settings(request: Request) -> Response:
    await current_user(request)
    return JSONResponse({"notesPath": "Notes", "fileSuffix": ".md", "noteMode": "rich"})


def routes(state) -> list[Any]:
    return [
        *ocs_route("/apps/files_sharing/api/v1/shares", create_share, methods=["POST"]),
        app_route("/apps/notes/api/v1/notes/{note_id:int}", note, methods=["GET"]),
        app_route("/apps/notes/api/v1/settings", settings, methods=["GET"]),
    ]
