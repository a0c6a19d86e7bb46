"""Notes API v1 (GET list with chunking, GET one, POST) — benchmark fallback, see __init__."""

from __future__ import annotations

import json
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.fakes.nextcloud import app_route, current_user, get_state, make_etag, quote_etag

APP = "notes"
HEADERS = {"X-Notes-API-Versions": "0.2, 1.3, 1.4"}


def reset(state) -> None:
    state.data["bench_notes"] = {}


def _notes(request: Request, uid: str) -> dict[int, dict]:
    return get_state(request).data.setdefault("bench_notes", {}).setdefault(uid, {})


async def list_notes(request: Request) -> Response:
    uid = await current_user(request)
    notes = sorted(_notes(request, uid).values(), key=lambda n: (n["modified"], n["id"]))
    size = int(request.query_params.get("chunkSize", 0) or 0)
    cursor = request.query_params.get("chunkCursor")
    start = int(cursor.rsplit("-", 1)[1]) if cursor else 0
    headers = dict(HEADERS)
    if size > 0:
        chunk = notes[start:start + size]
        if start + size < len(notes):
            headers["X-Notes-Chunk-Cursor"] = f"{int(time.time())}-{chunk[-1]['modified']}-{start + size}"
        else:
            ids = {n["id"] for n in chunk}
            chunk = chunk + [{"id": n["id"]} for n in notes if n["id"] not in ids]
        notes = chunk
    body = json.dumps(notes)
    headers["ETag"] = quote_etag(make_etag(body))
    return Response(body, media_type="application/json; charset=utf-8", headers=headers)


async def get_note(request: Request) -> Response:
    uid = await current_user(request)
    note = _notes(request, uid).get(int(request.path_params["id"]))
    if note is None:
        return JSONResponse({"message": "Note not found"}, status_code=404, headers=HEADERS)
    return JSONResponse(note, headers={**HEADERS, "ETag": quote_etag(note["etag"])})


async def create_note(request: Request) -> Response:
    uid = await current_user(request)
    body = await request.json()
    state = get_state(request)
    state.data.setdefault("bench_notes_seq", 0)
    state.data["bench_notes_seq"] += 1
    nid = state.data["bench_notes_seq"]
    content = body.get("content", "")
    title = body.get("title") or (content.splitlines()[0] if content else "New note")
    note = {"id": nid, "etag": make_etag(nid, title, content), "readonly": False, "modified": 1_700_000_000 + nid,
            "title": title, "category": body.get("category", ""), "content": content, "favorite": False}
    _notes(request, uid)[nid] = note
    return JSONResponse(note, headers={**HEADERS, "ETag": quote_etag(note["etag"])})


def routes(state) -> list:
    return [
        app_route("/apps/notes/api/v1/notes", list_notes, methods=["GET"]),
        app_route("/apps/notes/api/v1/notes", create_note, methods=["POST"]),
        app_route("/apps/notes/api/v1/notes/{id:int}", get_note, methods=["GET"]),
    ]
