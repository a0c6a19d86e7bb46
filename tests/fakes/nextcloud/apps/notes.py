"""Notes app API v1 (`/index.php/apps/notes/api/v1/...`), from ../shared/nextcloud-api/notes/:
quoted ETag headers, `X-Notes-API-Versions`, chunked listing (`chunkSize`/`chunkCursor`, cursor
`<timeStart>-<lastUpdate>-<id>` in `X-Notes-Chunk-Cursor`, notes sorted by (modified, id), the last chunk
adding `{"id": N}` stubs of every other note), `exclude`/`category` filters, If-Match that must be a quoted
etag (412 body = the current note), 404 `{"errorType":"Exception"}`, DELETE answering `[]`.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..auth import current_user, get_state
from ..dav import make_etag, quote_etag
from ..routing import app_route

APP = "notes"
API_HEADERS = {"X-Notes-API-Versions": "0.2, 1.3, 1.4"}
BASE_TIME = 1_760_000_000
FIELDS = ("id", "etag", "readonly", "modified", "title", "category", "content", "favorite")


# alice's seeded notes (their files are seeded by the files fake; the Deck fake attaches note 2).
SEED = {
    1: {"id": 1, "etag": "be3b4e5b8ba06b5b3fd8d3e4d7b62a3f", "readonly": False, "modified": 1701800000,
        "title": "Shopping", "category": "", "content": "# Shopping\n- milk", "favorite": False},
    2: {"id": 2, "etag": "0e5b79b7d5b8f6bc8c1f1d6f0b4f4d1a", "readonly": False, "modified": 1701800100,
        "title": "Plan", "category": "Work", "content": "# Plan", "favorite": False},
}


def reset(state) -> None:
    import copy
    state.data["notes"] = {"notes": {"alice": copy.deepcopy(SEED)}, "next_id": 2, "clock": BASE_TIME}


def capabilities(state):
    return {"notes": {"api_version": ["0.2", "1.0"], "version": "3.6.0"}}


def data(request: Request) -> dict:
    return get_state(request).data["notes"]


def user_notes(request: Request, uid: str) -> dict[int, dict]:
    return data(request)["notes"].setdefault(uid, {})


def tick(request: Request) -> int:
    d = data(request)
    d["clock"] += 1
    return d["clock"]


def stamp(note: dict) -> dict:
    note["etag"] = make_etag(note["id"], note["title"], note["category"], note["content"], note["modified"])
    return note


def error(status: int) -> Response:
    return JSONResponse({"errorType": "Exception"}, status_code=status, headers=API_HEADERS)


def title_of(content: str) -> str:
    first = content.strip().split("\n", 1)[0].strip().lstrip("#").strip()
    return first[:100] or "New note"


async def list_notes(request: Request) -> Response:
    uid = await current_user(request)
    notes = sorted(user_notes(request, uid).values(), key=lambda n: (n["modified"], n["id"]))
    q = request.query_params
    category = q.get("category")
    if category is not None:
        notes = [n for n in notes if n["category"] == category]
    exclude = {f.strip() for f in q.get("exclude", "").split(",") if f.strip()}
    shown = [{k: v for k, v in n.items() if k not in exclude} for n in notes]
    headers = dict(API_HEADERS)
    size = q.get("chunkSize")
    if not size:
        return JSONResponse(shown, headers=headers)
    size = int(size)
    start = 0
    cursor = q.get("chunkCursor")
    time_start = data(request)["clock"]
    if cursor:
        m = re.fullmatch(r"(\d+)-(\d+)-(\d+)", cursor)
        if not m:
            return error(400)
        time_start = int(m.group(1))
        last_update, last_id = int(m.group(2)), int(m.group(3))
        start = next((i for i, n in enumerate(notes) if (n["modified"], n["id"]) > (last_update, last_id)), len(notes))
    chunk = shown[start:start + size]
    rest = notes[start + size:]
    if rest:
        last = notes[start + size - 1]
        headers["X-Notes-Chunk-Cursor"] = f"{time_start}-{last['modified']}-{last['id']}"
        headers["X-Notes-Chunk-Pending"] = str(len(rest))
        body = chunk
    else:
        in_chunk = {n["id"] for n in chunk}
        body = chunk + [{"id": n["id"]} for n in notes if n["id"] not in in_chunk]
    return JSONResponse(body, headers=headers)


async def get_note(request: Request) -> Response:
    uid = await current_user(request)
    note = user_notes(request, uid).get(request.path_params["id"])
    if note is None:
        return error(404)
    return JSONResponse(note, headers={**API_HEADERS, "ETag": quote_etag(note["etag"])})


def _note_path(category: str, title: str) -> tuple[list[str], str]:
    folders = [p for p in ["Notes", *category.split("/")] if p]
    return folders, "/".join([*folders, f"{title}.md"])


def _ensure_folders(st, tree, folders: list[str]) -> None:
    from .files import Node
    for i in range(1, len(folders) + 1):
        folder = "/".join(folders[:i])
        if folder not in tree:
            node = Node(is_dir=True, fileid=st.new_id())
            node.touch(st.tick())
            tree[folder] = node


def add_note_file(request: Request, uid: str, title: str, category: str, content: str) -> int:
    """Nextcloud keeps a note as a file `<notesPath>/<category>/<title>.md`; the note id is that file's id
    (so system tags on the file, or on its folder, apply to the note)."""
    from .files import Node
    st = get_state(request).data["files"]
    tree = st.tree(uid)
    folders, path = _note_path(category, title)
    _ensure_folders(st, tree, folders)
    file_id = st.new_id()
    node = Node(is_dir=False, fileid=file_id, content=content.encode(), content_type="text/markdown")
    node.touch(st.tick())
    tree[path] = node
    data(request).setdefault("files", {})[(uid, file_id)] = path
    return file_id


def move_note_file(request: Request, uid: str, note: dict) -> None:
    """Renames/moves the note's file after a title or category change, as the Notes app does."""
    st = get_state(request).data["files"]
    tree = st.tree(uid)
    paths = data(request).setdefault("files", {})
    old = paths.get((uid, note["id"]))
    if old is None or old not in tree:
        return
    folders, new = _note_path(note["category"], note["title"])
    _ensure_folders(st, tree, folders)
    node = tree.pop(old)
    node.content = note["content"].encode()
    tree[new] = node
    paths[(uid, note["id"])] = new


def trash_note_file(request: Request, uid: str, note_id: int) -> None:
    from .files import to_trash
    st = get_state(request).data["files"]
    path = data(request).setdefault("files", {}).pop((uid, note_id), None)
    if path is not None and path in st.tree(uid):
        to_trash(st, uid, st.tree(uid), path)


async def create_note(request: Request) -> Response:
    uid = await current_user(request)
    body = await request.json()
    content = body.get("content", "")
    title = body.get("title") or title_of(content)
    category = body.get("category", "")
    note = {"id": add_note_file(request, uid, title, category, content), "etag": "", "readonly": False,
            "modified": tick(request), "title": title, "category": category,
            "content": content, "favorite": bool(body.get("favorite", False))}
    user_notes(request, uid)[note["id"]] = stamp(note)
    return JSONResponse(note, headers={**API_HEADERS, "ETag": quote_etag(note["etag"])})


async def update_note(request: Request) -> Response:
    uid = await current_user(request)
    note = user_notes(request, uid).get(request.path_params["id"])
    if note is None:
        return error(404)
    if_match = request.headers.get("if-match")
    # Helper::getNoteWithETagCheck compares with the QUOTED etag: an unquoted one never matches.
    if if_match is not None and f'"{note["etag"]}"' not in [t.strip() for t in if_match.split(",")]:
        return JSONResponse(note, status_code=412, headers=API_HEADERS)
    if note["readonly"]:
        return error(403)
    body = await request.json()
    for key in ("title", "content", "category", "favorite"):
        if key in body and body[key] is not None:
            note[key] = body[key]
    note["modified"] = tick(request)
    stamp(note)
    move_note_file(request, uid, note)
    return JSONResponse(note, headers={**API_HEADERS, "ETag": quote_etag(note["etag"])})


async def delete_note(request: Request) -> Response:
    uid = await current_user(request)
    if user_notes(request, uid).pop(request.path_params["id"], None) is None:
        return error(404)
    trash_note_file(request, uid, request.path_params["id"])
    return JSONResponse([], headers=API_HEADERS)


async def settings(request: Request) -> Response:
    await current_user(request)
    return JSONResponse({"notesPath": "Notes", "fileSuffix": ".md", "noteMode": "rich"}, headers=API_HEADERS)


def routes(state):
    base = "/apps/notes/api/v1"
    return [
        app_route(f"{base}/notes", list_notes, methods=["GET"]),
        app_route(f"{base}/notes", create_note, methods=["POST"]),
        app_route(f"{base}/notes/{{id:int}}", get_note, methods=["GET"]),
        app_route(f"{base}/notes/{{id:int}}", update_note, methods=["PUT"]),
        app_route(f"{base}/notes/{{id:int}}", delete_note, methods=["DELETE"]),
        app_route(f"{base}/settings", settings, methods=["GET"]),
    ]
