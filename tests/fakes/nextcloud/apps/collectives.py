"""Collectives contract fake (OCS `/ocs/v2.php/apps/collectives/api/v1.0`), from ../shared/nextcloud-api/collectives/
(DERIVED samples from nextcloud/collectives @f0b22be8).

Faithful to what bites clients:
- No capability: an absent app is only visible as an unknown OCS route (404 from the app gate).
- Errors: `meta.message` holds the app's text, `data: []`; 200 on success (create too). Texts verbatim where the
  samples give them ("Collective not found: N", "Collective already exists.", "Collective not found in trash: N",
  "Member X not allowed to update collective: N", "Failed to restore page N. Not found in trash.", "Emoji must be a
  single emoji character", "Collective color is not valid: X").
- A page IS a Markdown file in the WebDAV files store of the member (`.Collectives/<name>/...`): the landing page
  `Readme.md`, a leaf `Title.md`, a page with sub-pages `Title/Readme.md`; page id = file id. Adding a first sub-page
  to a leaf moves `Title.md` to `Title/Readme.md` (same id). Content is only in the file (WebDAV GET/PUT), so system
  tags and WebDAV writes apply to pages. A title clash gives "Title (2)".
- Trashing an index page takes its folder (all sub-pages) to the collective's page trash; restore brings them back with
  the same ids; DELETE .../pages/trash/{id} deletes for good.
- Search reads the app's own word index, which only the background job updates: `POST /__fake/collectives/index`
  runs it (pages created or edited since are missing until then). All words must match.
- 500 after the action happened (nextcloud/collectives#2545, 4.4.1): `POST /__fake/collectives/fail-after {"on": true}`
  makes trashing a page succeed yet answer 500.
Control: POST /__fake/collectives/index, POST /__fake/collectives/fail-after.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import current_user, get_state, ocs_response, ocs_route
from .files import TRASH_BACKENDS, Node

APP = "collectives"
BASE = "/apps/collectives/api/v1.0"
USER_FOLDER = ".Collectives"


def reset(state) -> None:
    state.data["collectives"] = {
        "collectives": {
            7: {"id": 7, "name": "Team Handbook", "emoji": "📘", "members": {"alice": 9}, "edit": 1, "trash": None,
                "circleId": "hzK3bZ6rBpWMXOuxL5iHumVj0HuMDoy"},
            8: {"id": 8, "name": "Board minutes", "emoji": None, "members": {"alice": 1}, "edit": 4, "trash": None,
                "circleId": "b0ardM1nut3sC1rcle00000000000"},
        },
        "next_id": 9,
        "tags": {3: {"id": 3, "collectiveId": 7, "name": "howto", "color": "2E7D32"},
                 4: {"id": 4, "collectiveId": 7, "name": "draft", "color": ""}},
        "next_tag": 5,
        "meta": {},          # file id -> {emoji, tags, subpageOrder, lastUserId}
        "seeded": set(),     # (collective id, uid) whose files exist
        "page_trash": {},    # collective id -> [{id, info, nodes, base}]
        "held": {},          # collective id -> {uid: nodes} while the collective is trashed
        "index": {},         # collective id -> {file id: indexed words}
        "fail_after": False,  # trash a page, then answer 500 (nextcloud/collectives#2545)
    }


SEED_PAGES = {
    7: [("Readme.md", "# Team Handbook\n\nWelcome."), ("Onboarding/Readme.md", "# Onboarding\n\nStart here."),
        ("Onboarding/First day.md", "# First day\n\nGet your laptop."), ("Tools.md", "# Tools\n\nEditors and shells.")],
    8: [("Readme.md", "# Board minutes\n")],
}


def data(request: Request) -> dict:
    return get_state(request).data["collectives"]


def files(request: Request):
    return get_state(request).data["files"]


def root_of(c: dict) -> str:
    return f"{USER_FOLDER}/{c['name']}"


def _add_file(st, tree, path: str, content: str) -> Node:
    parts = path.split("/")
    for i in range(1, len(parts)):
        folder = "/".join(parts[:i])
        if folder not in tree:
            node = Node(is_dir=True, fileid=st.new_id())
            node.touch(st.tick())
            tree[folder] = node
    node = Node(is_dir=False, fileid=st.new_id(), content=content.encode(), content_type="text/markdown")
    node.touch(st.tick())
    tree[path] = node
    return node


def ensure_seeded(request: Request, uid: str) -> None:
    d, st = data(request), files(request)
    for cid, c in d["collectives"].items():
        if uid not in c["members"] or (cid, uid) in d["seeded"] or c["trash"]:
            continue
        d["seeded"].add((cid, uid))
        tree = st.tree(uid)
        for rel, content in SEED_PAGES.get(cid, []):
            node = _add_file(st, tree, f"{root_of(c)}/{rel}", content)
            d["meta"][node.fileid] = {"emoji": None, "tags": [3] if rel == "Onboarding/Readme.md" else [],
                                      "subpageOrder": [], "lastUserId": uid}
        run_index(request, uid, cid)


def collective_json(c: dict, uid: str) -> dict:
    level = c["members"].get(uid, 0)
    return {"id": c["id"], "slug": re.sub(r"[^a-z0-9]+", "-", c["name"].lower()).strip("-"), "circleId": c["circleId"],
            "emoji": c["emoji"], "trashTimestamp": c["trash"], "pageMode": 0, "name": c["name"], "level": level,
            "editPermissionLevel": c["edit"], "sharePermissionLevel": 1, "canEdit": level >= c["edit"],
            "canShare": level >= 1, "shareToken": None, "isPageShare": False, "sharePageId": 0, "shareEditable": False,
            "userPageOrder": 0, "userShowMembers": True, "userShowRecentPages": True, "userFavoritePages": [],
            "userNotify": False, "canLeave": level < 9}


def fail(request: Request, status: int, message: str) -> Response:
    return ocs_response(request, [], status=status, message=message)


async def _collective(request: Request, cid: int, edit: bool = False):
    uid = await current_user(request)
    ensure_seeded(request, uid)
    c = data(request)["collectives"].get(cid)
    if c is None or c["trash"] or uid not in c["members"]:
        return uid, None, fail(request, 404, f"Collective not found: {cid}")
    if edit and c["members"][uid] < c["edit"]:
        return uid, None, fail(request, 403, f"Member {uid} not allowed to edit pages of collective: {cid}")
    return uid, c, None


# ---------------------------------------------------------------- pages from files

def pages_of(request: Request, uid: str, c: dict) -> dict[int, dict]:
    """Page infos of a collective, from the member's files (id = file id)."""
    tree = files(request).tree(uid)
    root = root_of(c)
    found: dict[str, tuple[int, str, str]] = {}  # rel -> (id, filePath, fileName)
    for path, node in tree.items():
        if node.is_dir or not path.startswith(root + "/") or not path.endswith(".md"):
            continue
        rel = path[len(root) + 1:]
        folder, _, name = rel.rpartition("/")
        found[rel] = (node.fileid, folder, name)
    index_of = {rel.rpartition("/")[0]: fid for rel, (fid, _, name) in found.items() if name == "Readme.md"}
    pages = {}
    for rel, (fid, folder, name) in found.items():
        if rel == "Readme.md":
            title, parent = "Landing page", 0
        elif name == "Readme.md":
            title, parent = folder.rpartition("/")[2], index_of.get(folder.rpartition("/")[0], 0)
        else:
            title, parent = name[:-3], index_of.get(folder, 0)
        pages[fid] = info(request, tree, root, c, fid, title, parent, folder, name)
    return pages


def info(request, tree, root, c, fid, title, parent, folder, name, trash=None) -> dict:
    meta = data(request)["meta"].setdefault(fid, {"emoji": None, "tags": [], "subpageOrder": [], "lastUserId": None})
    path = f"{root}/{folder}/{name}" if folder else f"{root}/{name}"
    node = tree.get(path)
    return {"id": fid, "slug": f"{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}-{fid}",
            "lastUserId": meta["lastUserId"], "lastUserDisplayName": (meta["lastUserId"] or "").capitalize(),
            "emoji": meta["emoji"], "subpageOrder": list(meta["subpageOrder"]), "isFullWidth": False,
            "tags": list(meta["tags"]), "trashTimestamp": trash, "title": title,
            "timestamp": node.mtime if node else 0, "size": len(node.content) if node else 0, "fileName": name,
            "filePath": folder, "filePathString": folder if name != "Readme.md" else folder.rpartition("/")[0],
            "collectivePath": root, "collectiveNameWithEmoji": f"{c['emoji']} {c['name']}" if c["emoji"] else c["name"],
            "parentId": parent, "shareToken": None, "linkedPageIds": []}


def page_path(p: dict) -> str:
    return "/".join(x for x in (p["collectivePath"], p["filePath"], p["fileName"]) if x)


def folder_of(p: dict) -> str:
    """The folder holding the page's sub-pages (index pages), or where its siblings live (leaves)."""
    return "/".join(x for x in (p["collectivePath"], p["filePath"]) if x)


def run_index(request: Request, uid: str, cid: int) -> None:
    c = data(request)["collectives"][cid]
    tree = files(request).tree(uid)
    words = {}
    for fid, p in pages_of(request, uid, c).items():
        node = tree.get(page_path(p))
        words[fid] = f"{p['title']} {node.content.decode(errors='replace') if node else ''}".lower()
    data(request)["index"][cid] = words


def _unique(tree: dict, folder: str, title: str) -> str:
    candidate, n = title, 1
    while f"{folder}/{candidate}.md" in tree or f"{folder}/{candidate}" in tree:
        n += 1
        candidate = f"{title} ({n})"
    return candidate


def _make_index(request: Request, uid: str, p: dict) -> str:
    """A leaf `T.md` getting a sub-page becomes `T/Readme.md` (same file id); returns the sub-page folder."""
    st = files(request)
    tree = st.tree(uid)
    if p["fileName"] == "Readme.md":
        return folder_of(p)
    folder = f"{folder_of(p)}/{p['title']}"
    node = Node(is_dir=True, fileid=st.new_id())
    node.touch(st.tick())
    tree[folder] = node
    tree[f"{folder}/Readme.md"] = tree.pop(page_path(p))
    return folder


def _nodes_of(tree: dict, p: dict) -> tuple[str, list[str]]:
    """The base path moved with a page and every path below it (an index page takes its folder)."""
    base = folder_of(p) if p["fileName"] == "Readme.md" else page_path(p)
    return base, sorted(x for x in tree if x == base or x.startswith(base + "/"))


# ---------------------------------------------------------------- collectives

async def list_collectives(request: Request) -> Response:
    uid = await current_user(request)
    ensure_seeded(request, uid)
    out = [collective_json(c, uid) for c in data(request)["collectives"].values() if uid in c["members"] and not c["trash"]]
    return ocs_response(request, {"collectives": out})


def _emoji_error(emoji: Any) -> str | None:
    if emoji in (None, ""):
        return None
    bare = str(emoji).replace("\ufe0f", "")
    if len(bare) != 1 or ord(bare) < 0x2190:
        return "Emoji must be a single emoji character"
    return None


async def create_collective(request: Request) -> Response:
    uid = await current_user(request)
    ensure_seeded(request, uid)
    body = await request.json()
    name = str(body.get("name") or "").strip()
    d = data(request)
    if not name:
        return fail(request, 400, "Empty collective name is not allowed")
    if any(c["name"].lower() == name.lower() for c in d["collectives"].values()):
        return fail(request, 400, "Collective already exists.")
    if (err := _emoji_error(body.get("emoji"))) is not None:
        return fail(request, 400, err)
    cid = d["next_id"]
    d["next_id"] += 1
    c = {"id": cid, "name": name, "emoji": body.get("emoji") or None, "members": {uid: 9}, "edit": 1, "trash": None,
         "circleId": f"circle{cid:026d}"}
    d["collectives"][cid] = c
    d["seeded"].add((cid, uid))
    st = files(request)
    node = _add_file(st, st.tree(uid), f"{root_of(c)}/Readme.md", "")
    d["meta"][node.fileid] = {"emoji": None, "tags": [], "subpageOrder": [], "lastUserId": uid}
    return ocs_response(request, {"collective": collective_json(c, uid), "info": ""})


async def update_collective(request: Request) -> Response:
    cid = request.path_params["id"]
    uid, c, err = await _collective(request, cid)
    if err:
        return err
    if c["members"][uid] < 8:
        return fail(request, 403, f"Member {uid} not allowed to update collective: {cid}")
    body = await request.json()
    if (e := _emoji_error(body.get("emoji"))) is not None:
        return fail(request, 400, e)
    c["emoji"] = body.get("emoji") or None
    return ocs_response(request, {"collective": collective_json(c, uid)})


async def trash_collective(request: Request) -> Response:
    cid = request.path_params["id"]
    uid, c, err = await _collective(request, cid)
    if err:
        return err
    if c["members"][uid] < 8:
        return fail(request, 403, f"Member {uid} not allowed to delete collective: {cid}")
    st = files(request)
    c["trash"] = st.tick()
    held = {}
    for member in c["members"]:
        tree = st.tree(member)
        base = root_of(c)
        held[member] = {p: tree.pop(p) for p in sorted(tree) if p == base or p.startswith(base + "/")}
    data(request)["held"][cid] = held
    return ocs_response(request, {"collective": collective_json(c, uid)})


async def list_trashed_collectives(request: Request) -> Response:
    uid = await current_user(request)
    out = [collective_json(c, uid) for c in data(request)["collectives"].values()
           if c["trash"] and c["members"].get(uid, 0) >= 8]
    return ocs_response(request, {"collectives": out})


async def _trashed(request: Request):
    uid = await current_user(request)
    cid = request.path_params["id"]
    c = data(request)["collectives"].get(cid)
    if c is None or not c["trash"] or c["members"].get(uid, 0) < 8:
        return uid, cid, None, fail(request, 404, f"Collective not found in trash: {cid}")
    return uid, cid, c, None


async def restore_collective(request: Request) -> Response:
    uid, cid, c, err = await _trashed(request)
    if err:
        return err
    c["trash"] = None
    for member, nodes in data(request)["held"].pop(cid, {}).items():
        files(request).tree(member).update(nodes)
    return ocs_response(request, {"collective": collective_json(c, uid)})


async def delete_collective(request: Request) -> Response:
    uid, cid, c, err = await _trashed(request)
    if err:
        return err
    answer = collective_json(c, uid)
    d = data(request)
    d["held"].pop(cid, None)
    d["page_trash"].pop(cid, None)
    d["collectives"].pop(cid)
    d["tags"] = {k: t for k, t in d["tags"].items() if t["collectiveId"] != cid}
    return ocs_response(request, {"collective": answer})


# ---------------------------------------------------------------- pages

async def list_pages(request: Request) -> Response:
    uid, c, err = await _collective(request, request.path_params["cid"])
    if err:
        return err
    return ocs_response(request, {"pages": list(pages_of(request, uid, c).values())})


async def _page(request: Request, edit: bool = False, key: str = "id"):
    uid, c, err = await _collective(request, request.path_params["cid"], edit)
    if err:
        return uid, c, None, err
    pid = request.path_params[key]
    p = pages_of(request, uid, c).get(pid)
    if p is None:
        return uid, c, None, fail(request, 404, f"Page not found: {pid}")
    return uid, c, p, None


async def get_page(request: Request) -> Response:
    _, _, p, err = await _page(request)
    return err or ocs_response(request, {"page": p})


async def create_page(request: Request) -> Response:
    uid, c, parent, err = await _page(request, edit=True)
    if err:
        return err
    body = await request.json()
    title = str(body.get("title") or "").replace("/", "-").strip()
    if not title:
        return fail(request, 400, "Empty page title is not allowed")
    st = files(request)
    tree = st.tree(uid)
    folder = _make_index(request, uid, parent)
    title = _unique(tree, folder, title)
    node = _add_file(st, tree, f"{folder}/{title}.md", "")
    d = data(request)
    d["meta"][node.fileid] = {"emoji": None, "tags": [], "subpageOrder": [], "lastUserId": uid}
    d["meta"][parent["id"]]["subpageOrder"].insert(0, node.fileid)
    return ocs_response(request, {"page": pages_of(request, uid, c)[node.fileid]})


async def move_page(request: Request) -> Response:
    uid, c, p, err = await _page(request, edit=True)
    if err:
        return err
    if p["parentId"] == 0:
        return fail(request, 400, "Not allowed to move or copy the landing page")
    body = await request.json()
    pages = pages_of(request, uid, c)
    parent_id = body.get("parentId") or p["parentId"]
    parent = pages.get(parent_id)
    if parent is None:
        return fail(request, 404, f"Page not found: {parent_id}")
    st = files(request)
    tree = st.tree(uid)
    base, paths = _nodes_of(tree, p)
    if parent_id == p["id"] or parent["id"] in {tree[x].fileid for x in paths}:
        return fail(request, 400, "Not allowed to move a page into itself")
    folder = _make_index(request, uid, pages_of(request, uid, c)[parent_id])
    title = str(body.get("title") or p["title"]).replace("/", "-").strip()
    is_index = p["fileName"] == "Readme.md"
    if not body.get("copy") and base.rpartition("/")[0] == folder and title == p["title"]:
        new_base = base
    else:
        title = _unique(tree, folder, title)
        new_base = f"{folder}/{title}" if is_index else f"{folder}/{title}.md"
    d = data(request)
    moved = {new_base + x[len(base):]: tree[x] for x in paths}
    if body.get("copy"):
        for path, node in moved.items():
            clone = copy.deepcopy(node)
            clone.fileid = st.new_id()
            clone.touch(st.tick())
            d["meta"][clone.fileid] = copy.deepcopy(d["meta"].get(node.fileid, {"emoji": None, "tags": [],
                                                                                  "subpageOrder": [], "lastUserId": uid}))
            tree[path] = clone
        new_id = tree[new_base + ("/Readme.md" if is_index else "")].fileid
    else:
        for x in paths:
            tree.pop(x)
        tree.update(moved)
        new_id = p["id"]
    order = d["meta"][parent_id]["subpageOrder"]
    if new_id in order:
        order.remove(new_id)
    order.insert(max(0, int(body.get("index") or 0)), new_id)
    return ocs_response(request, {"page": pages_of(request, uid, c)[new_id]})


async def trash_page(request: Request) -> Response:
    uid, c, p, err = await _page(request, edit=True)
    if err:
        return err
    if p["parentId"] == 0:
        return fail(request, 400, "Not allowed to trash the landing page")
    st = files(request)
    tree = st.tree(uid)
    base, paths = _nodes_of(tree, p)
    ts = st.tick()
    # The attachments folder beside a leaf page goes to the trash as an item of its own (inside an index page's
    # folder it travels with the folder).
    attachments = f"{folder_of(p)}/.attachments.{p['id']}"
    paths += sorted(x for x in tree if x == attachments or x.startswith(attachments + "/")) if base != folder_of(p) else []
    info = dict(p, trashTimestamp=ts)
    if p["fileName"] == "Readme.md":  # as Collectives lists a trashed folder page: title = the folder's name
        info.update(title=base.rsplit("/", 1)[-1], filePath="")
    entry = {"id": p["id"], "info": info, "base": base, "ts": ts, "nodes": {x: tree.pop(x) for x in paths}}
    data(request)["page_trash"].setdefault(c["id"], []).append(entry)
    if data(request)["fail_after"]:
        return fail(request, 500, "An internal error occurred.")
    return ocs_response(request, {"page": entry["info"]})


async def list_trashed_pages(request: Request) -> Response:
    _, c, err = await _collective(request, request.path_params["cid"])
    if err:
        return err
    return ocs_response(request, {"pages": [e["info"] for e in data(request)["page_trash"].get(c["id"], [])]})


def trash_bin_items(request: Request, uid: str) -> list[dict[str, Any]]:
    """The page trash as Nextcloud's trash bin shows it (Collectives' PageTrashBackend): one item per trashed page
    file or folder and per trashed attachments folder, named as it was, `original-location` relative to the
    collective's folder."""
    out = []
    for cid, entries in data(request)["page_trash"].items():
        c = data(request)["collectives"].get(cid)
        if c is None or uid not in c["members"]:
            continue
        root = f"{USER_FOLDER}/{c['name']}"
        for e in entries:
            attachments = f"{e['base'].rpartition('/')[0]}/.attachments.{e['id']}"
            for base in (e["base"], attachments):
                nodes = {k[len(base):]: v for k, v in e["nodes"].items() if k == base or k.startswith(base + "/")}
                if not nodes:
                    continue
                name = base.rsplit("/", 1)[-1]
                out.append({"entry_id": f"{name}.d{e['ts']}", "name": name, "deletion_time": e["ts"],
                            "original_location": base[len(root) + 1:], "nodes": nodes})
    return out


TRASH_BACKENDS.append(trash_bin_items)


def _trash_entry(request: Request, cid: int, pid: int) -> dict | None:
    return next((e for e in data(request)["page_trash"].get(cid, []) if e["id"] == pid), None)


async def restore_page(request: Request) -> Response:
    uid, c, err = await _collective(request, request.path_params["cid"], edit=True)
    if err:
        return err
    pid = request.path_params["id"]
    entry = _trash_entry(request, c["id"], pid)
    if entry is None:
        return fail(request, 404, f"Failed to restore page {pid}. Not found in trash.")
    data(request)["page_trash"][c["id"]].remove(entry)
    files(request).tree(uid).update(entry["nodes"])
    return ocs_response(request, {"page": pages_of(request, uid, c)[pid]})


async def delete_trashed_page(request: Request) -> Response:
    _, c, err = await _collective(request, request.path_params["cid"], edit=True)
    if err:
        return err
    pid = request.path_params["id"]
    entry = _trash_entry(request, c["id"], pid)
    if entry is None:
        return fail(request, 404, f"Failed to delete page {pid}. Not found in trash.")
    data(request)["page_trash"][c["id"]].remove(entry)
    return ocs_response(request, [])


async def page_emoji(request: Request) -> Response:
    uid, c, p, err = await _page(request, edit=True)
    if err:
        return err
    body = await request.json()
    if (e := _emoji_error(body.get("emoji"))) is not None:
        return fail(request, 400, e)
    data(request)["meta"][p["id"]]["emoji"] = body.get("emoji") or None
    return ocs_response(request, {"page": pages_of(request, uid, c)[p["id"]]})


async def page_tag(request: Request) -> Response:
    uid, c, p, err = await _page(request, edit=True)
    if err:
        return err
    tid = request.path_params["tid"]
    tag = data(request)["tags"].get(tid)
    if tag is None or tag["collectiveId"] != c["id"]:
        return fail(request, 404, f"Tag not found: {tid}")
    tags = data(request)["meta"][p["id"]]["tags"]
    if request.method == "PUT" and tid not in tags:
        tags.append(tid)
    elif request.method == "DELETE" and tid in tags:
        tags.remove(tid)
    return ocs_response(request, {"page": pages_of(request, uid, c)[p["id"]]})


# ---------------------------------------------------------------- tags, search

async def list_tags(request: Request) -> Response:
    _, c, err = await _collective(request, request.path_params["cid"])
    if err:
        return err
    return ocs_response(request, {"tags": [t for t in data(request)["tags"].values() if t["collectiveId"] == c["id"]]})


async def create_tag(request: Request) -> Response:
    _, c, err = await _collective(request, request.path_params["cid"], edit=True)
    if err:
        return err
    body = await request.json()
    name, color = str(body.get("name") or "").strip(), body.get("color")
    if color is None:
        return fail(request, 400, "Missing parameter color")
    if color and not re.fullmatch(r"[0-9a-fA-F]{6}", color):
        return fail(request, 400, f"Collective color is not valid: {color}")
    d = data(request)
    if any(t["name"] == name and t["collectiveId"] == c["id"] for t in d["tags"].values()):
        return fail(request, 400, f"Tag already exists: {name}")
    tid = d["next_tag"]
    d["next_tag"] += 1
    d["tags"][tid] = {"id": tid, "collectiveId": c["id"], "name": name, "color": color}
    return ocs_response(request, {"tag": d["tags"][tid], "info": ""})


async def search(request: Request) -> Response:
    uid, c, err = await _collective(request, request.path_params["cid"])
    if err:
        return err
    words = request.query_params.get("searchString", "").lower().split()
    index = data(request)["index"].get(c["id"], {})
    pages = pages_of(request, uid, c)
    hits = [pages[fid] for fid, text in index.items() if words and fid in pages and all(w in text for w in words)]
    return ocs_response(request, {"pages": hits})


async def control_fail_after(request: Request) -> Response:
    """POST /__fake/collectives/fail-after {"on": bool}: trashing a page still happens but answers 500 (#2545)."""
    data(request)["fail_after"] = bool((await request.json()).get("on"))
    return JSONResponse({"ok": True})


async def control_index(request: Request) -> Response:
    """POST /__fake/collectives/index: the background indexer runs for every seeded member and collective."""
    d = data(request)
    for cid, uid in list(d["seeded"]):
        if cid in d["collectives"] and not d["collectives"][cid]["trash"]:
            run_index(request, uid, cid)
    return JSONResponse({"ok": True})


def routes(state):
    b = BASE
    c = f"{b}/collectives/{{cid:int}}"
    return [
        Route("/__fake/collectives/index", control_index, methods=["POST"]),
        Route("/__fake/collectives/fail-after", control_fail_after, methods=["POST"]),
        *ocs_route(f"{b}/collectives", list_collectives, ["GET"]),
        *ocs_route(f"{b}/collectives", create_collective, ["POST"]),
        *ocs_route(f"{b}/collectives/trash", list_trashed_collectives, ["GET"]),
        *ocs_route(f"{b}/collectives/trash/{{id:int}}", restore_collective, ["PATCH"]),
        *ocs_route(f"{b}/collectives/trash/{{id:int}}", delete_collective, ["DELETE"]),
        *ocs_route(f"{b}/collectives/{{id:int}}", update_collective, ["PUT"]),
        *ocs_route(f"{b}/collectives/{{id:int}}", trash_collective, ["DELETE"]),
        *ocs_route(f"{c}/pages", list_pages, ["GET"]),
        *ocs_route(f"{c}/pages/trash", list_trashed_pages, ["GET"]),
        *ocs_route(f"{c}/pages/trash/{{id:int}}", restore_page, ["PATCH"]),
        *ocs_route(f"{c}/pages/trash/{{id:int}}", delete_trashed_page, ["DELETE"]),
        *ocs_route(f"{c}/pages/{{id:int}}", get_page, ["GET"]),
        *ocs_route(f"{c}/pages/{{id:int}}", create_page, ["POST"]),
        *ocs_route(f"{c}/pages/{{id:int}}", move_page, ["PUT"]),
        *ocs_route(f"{c}/pages/{{id:int}}", trash_page, ["DELETE"]),
        *ocs_route(f"{c}/pages/{{id:int}}/emoji", page_emoji, ["PUT"]),
        *ocs_route(f"{c}/pages/{{id:int}}/tags/{{tid:int}}", page_tag, ["PUT", "DELETE"]),
        *ocs_route(f"{c}/tags", list_tags, ["GET"]),
        *ocs_route(f"{c}/tags", create_tag, ["POST"]),
        *ocs_route(f"{c}/search", search, ["GET"]),
    ]
