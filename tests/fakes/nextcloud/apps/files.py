"""Files over WebDAV as Nextcloud serves them, in memory: `/remote.php/dav/files/<uid>/...` (PROPFIND with
oc:/nc: props, GET, PUT with If-Match/If-None-Match, MKCOL, DELETE to the trash bin, MOVE/COPY with
Overwrite and the RFC 4918 tagged `If:` header), RFC 5323 SEARCH on `/remote.php/dav/` (basicsearch with
like/eq/and/not, firstresult/nresults), the oc:filter-files REPORT (favorites, system tags), comments,
system tags and their relations, trash bin (also PROPFIND inside trashed folders, and other apps' trash backends
such as Collectives' page trash, listed read-only) and versions.

Built from ../shared/nextcloud-api/webdav/ (SEARCH request, filter-files, comments REPORT, trashbin/versions
endpoints): quoted etags (`&quot;...&quot;` in XML), percent-encoded hrefs, Sabre error bodies,
409 for a missing parent, 405 for MKCOL on an existing node, 412 for failed preconditions.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..auth import current_user, get_state
from ..dav import Raw, etag_matches, make_etag, multistatus_response, quote_etag, requested_props, sabre_error
from ..routing import dav_route

D, OC, NC = "{DAV:}", "{http://owncloud.org/ns}", "{http://nextcloud.org/ns}"
BASE_TIME = 1_760_000_000


SEED = [
    ("Documents", "", None),
    ("Documents/report.pdf", "application/pdf", b"%PDF-1.4\n% seeded report\n"),
    ("Notes", "", None),
    ("Notes/Shopping.md", "text/markdown", b"# Shopping\n- milk"),
    ("Notes/Work", "", None),
    ("Notes/Work/Plan.md", "text/markdown", b"# Plan"),
]


@dataclass
class Node:
    is_dir: bool
    fileid: int
    content: bytes = b""
    content_type: str = ""
    mtime: int = BASE_TIME
    etag: str = ""
    favorite: bool = False

    def touch(self, clock: int) -> None:
        self.mtime = clock
        self.etag = make_etag(self.fileid, clock, len(self.content), self.content[:64])


@dataclass
class Store:
    nodes: dict[str, dict[str, Node]] = field(default_factory=dict)  # uid -> path -> node ("" = root)
    next_id: int = 100
    clock: int = BASE_TIME
    tags: dict[int, dict[str, Any]] = field(default_factory=dict)
    object_ids: bool = True  # Nextcloud 31+ answers nc:object-ids on a tag
    relations: dict[int, set[int]] = field(default_factory=dict)  # fileid -> tag ids
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    trash: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    versions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    versioning: bool = True  # files_versions enabled (POST /__fake/files {"versioning": false} turns it off)

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def tree(self, uid: str) -> dict[str, Node]:
        if uid not in self.nodes:
            root = Node(is_dir=True, fileid=self.new_id())
            root.touch(self.clock)
            self.nodes[uid] = {"": root}
            # Skeleton files every user starts with (the Deck and Notes fakes refer to them).
            for path, content_type, content in SEED:
                node = Node(is_dir=content is None, fileid=self.new_id(), content=content or b"",
                            content_type=content_type)
                node.touch(self.clock)
                self.nodes[uid][path] = node
        return self.nodes[uid]


def reset(state) -> None:
    state.data["files"] = Store()


def capabilities(state) -> dict[str, Any]:
    """The `files` capability block; `versioning` only while files_versions is enabled."""
    files: dict[str, Any] = {"bigfilechunking": True, "blacklisted_files": [".htaccess"]}
    if state.data["files"].versioning:
        files.update({"versioning": True, "version_labeling": True, "version_deletion": True})
    return {"files": files}


async def control(request: Request) -> Response:
    """POST /__fake/files {"versioning": bool, "object_ids": bool}: switch files_versions on or off, and the
    Nextcloud 31+ `nc:object-ids` tag property."""
    body = json.loads(await request.body() or b"{}")
    st = store(request)
    if "versioning" in body:
        st.versioning = bool(body["versioning"])
    if "object_ids" in body:
        st.object_ids = bool(body["object_ids"])
    return Response(json.dumps({"versioning": st.versioning, "object_ids": st.object_ids}),
                    media_type="application/json")


def store(request: Request) -> Store:
    return get_state(request).data["files"]


# ---------------------------------------------------------------- helpers

def guess_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {
        "txt": "text/plain", "md": "text/markdown", "pdf": "application/pdf", "png": "image/png",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "json": "application/json", "csv": "text/csv",
    }.get(ext, "application/octet-stream")


def parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def children(tree: dict[str, Node], path: str) -> list[str]:
    prefix = f"{path}/" if path else ""
    return sorted(p for p in tree if p and p.startswith(prefix) and "/" not in p[len(prefix):])


def subtree(tree: dict[str, Node], path: str) -> list[str]:
    return sorted(p for p in tree if p == path or (path == "" and p) or p.startswith(f"{path}/"))


def href_of(uid: str, path: str, is_dir: bool) -> str:
    href = f"/remote.php/dav/files/{quote(uid)}/" + quote(path)
    if is_dir and path:
        href += "/"
    return href


def folder_size(tree: dict[str, Node], path: str) -> int:
    return sum(len(tree[p].content) for p in subtree(tree, path) if not tree[p].is_dir)


def props_of(st: Store, uid: str, tree: dict[str, Node], path: str) -> dict[str, Any]:
    node = tree[path]
    name = path.rsplit("/", 1)[-1] if path else uid
    props: dict[str, Any] = {
        "d:displayname": name,
        "d:getlastmodified": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(node.mtime)),
        "d:getetag": quote_etag(node.etag),
        "d:resourcetype": Raw("<d:collection/>") if node.is_dir else None,
        "oc:fileid": node.fileid,
        "oc:id": f"{node.fileid:08d}ocinstance",
        "oc:size": folder_size(tree, path) if node.is_dir else len(node.content),
        "oc:favorite": 1 if node.favorite else 0,
        "oc:permissions": "RGDNVCK" if node.is_dir else "RGDNVW",
        "oc:owner-id": uid,
        "nc:has-preview": "false",
    }
    if not node.is_dir:
        props["d:getcontentlength"] = len(node.content)
        props["d:getcontenttype"] = node.content_type
    return props


def respond(st: Store, uid: str, tree: dict[str, Node], paths: list[str], wanted: list[str] | None):
    out = []
    for path in paths:
        props = props_of(st, uid, tree, path)
        if wanted is None:
            found, missing = props, []
        else:
            found, missing = {}, []
            for clark in wanted:
                key = next((k for k in props if _clark(k) == clark), None)
                if key is None or props[key] is None and not clark.endswith("resourcetype"):
                    missing.append(clark)
                else:
                    found[key] = props[key]
        out.append((href_of(uid, path, tree[path].is_dir), found, missing))
    return multistatus_response(out)


def _clark(prefixed: str) -> str:
    ns = {"d": "DAV:", "oc": "http://owncloud.org/ns", "nc": "http://nextcloud.org/ns"}
    prefix, local = prefixed.split(":", 1)
    return "{" + ns[prefix] + "}" + local


async def owner(request: Request) -> tuple[str, dict[str, Node], str]:
    uid = await current_user(request)
    owner_uid = request.path_params["uid"]
    if owner_uid != uid:
        raise PermissionError
    path = request.path_params.get("path", "").strip("/")
    return uid, store(request).tree(uid), path


def not_found(path: str) -> Response:
    return sabre_error(404, "Sabre\\DAV\\Exception\\NotFound", f"File with name {path} could not be located")


def dest_path(request: Request, uid: str) -> str | None:
    dest = request.headers.get("destination")
    if not dest:
        return None
    raw = urlsplit(dest).path
    prefix = f"/remote.php/dav/files/{quote(uid)}/"
    if not raw.startswith(prefix):
        return None
    return unquote(raw[len(prefix):]).strip("/")


def byte_range(header: str | None, size: int):
    """sabre's single-range handling: `bytes=a-b`, `bytes=a-`, `bytes=-n`; None = whole body."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first_text, _, last_text = header[len("bytes="):].strip().partition("-")
    try:
        if first_text == "":
            n = int(last_text)
            return (max(size - n, 0), size - 1) if size and n else "unsatisfiable"
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
    except ValueError:
        return None
    if first >= size or last < first:
        return "unsatisfiable"
    return first, min(last, size - 1)


def to_trash(st: Store, uid: str, tree: dict[str, Node], path: str) -> None:
    clock = st.tick()
    name = path.rsplit("/", 1)[-1]
    nodes = {p[len(path):]: tree.pop(p) for p in subtree(tree, path)}
    st.trash.setdefault(uid, []).append({
        "entry_id": f"{name}.d{clock}", "name": name, "original_location": path,
        "deletion_time": clock, "nodes": nodes,
    })


# ---------------------------------------------------------------- /files/<uid>/...

async def files_endpoint(request: Request) -> Response:
    try:
        uid, tree, path = await owner(request)
    except PermissionError:
        return sabre_error(403, "Sabre\\DAV\\Exception\\Forbidden", "Access denied")
    st = store(request)
    method = request.method
    node = tree.get(path)
    if method == "PROPFIND":
        if node is None:
            return not_found(path)
        depth = request.headers.get("depth", "1")
        wanted = await requested_props(request)
        paths = [path] + (children(tree, path) if node.is_dir and depth != "0" else [])
        return respond(st, uid, tree, paths, wanted)
    if method == "GET":
        if node is None:
            return not_found(path)
        if node.is_dir:
            return sabre_error(501, "Sabre\\DAV\\Exception\\NotImplemented", "GET is only implemented on File objects")
        headers = {"Content-Type": node.content_type, "ETag": quote_etag(node.etag),
                   "OC-ETag": quote_etag(node.etag), "Accept-Ranges": "bytes"}
        size = len(node.content)
        wanted = byte_range(request.headers.get("range"), size)
        if wanted == "unsatisfiable":
            return sabre_error(416, "Sabre\\DAV\\Exception\\RequestedRangeNotSatisfiable",
                               f"The start offset exceeded the size of the entity ({size})",
                               headers={"Content-Range": f"bytes */{size}"})
        if wanted is not None:
            first, last = wanted
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
            return Response(node.content[first:last + 1], status_code=206, headers=headers)
        return Response(node.content, headers=headers)
    if method == "PUT":
        if_match, if_none = request.headers.get("if-match"), request.headers.get("if-none-match")
        if if_none is not None and node is not None and etag_matches(if_none, node.etag):
            return sabre_error(412, "Sabre\\DAV\\Exception\\PreconditionFailed",
                               "An If-None-Match header was specified, but the ETag matched (or * was specified).")
        if if_match is not None and (node is None or not etag_matches(if_match, node.etag)):
            return sabre_error(412, "Sabre\\DAV\\Exception\\PreconditionFailed",
                               "An If-Match header was specified, but none of the specified ETags matched.")
        if node is not None and node.is_dir:
            return sabre_error(409, "Sabre\\DAV\\Exception\\Conflict", "Cannot overwrite a folder")
        parent = tree.get(parent_of(path))
        if parent is None:
            # sabre's Server::createFile looks the parent up without catching NotFound: 404 (MKCOL says 409).
            return not_found(parent_of(path))
        if not parent.is_dir:
            return sabre_error(409, "Sabre\\DAV\\Exception\\Conflict", "Files can only be created as children of collections")
        body = await request.body()
        clock = st.tick()
        created = node is None
        if created:
            node = Node(is_dir=False, fileid=st.new_id())
            tree[path] = node
        elif st.versioning:
            st.versions.setdefault(node.fileid, []).append({
                "version_id": str(node.mtime), "content": node.content, "content_type": node.content_type,
                "mtime": node.mtime, "etag": node.etag,
            })
        node.content = body
        node.content_type = request.headers.get("content-type", "").split(";")[0].strip() or guess_type(path)
        node.touch(clock)
        headers = {"ETag": quote_etag(node.etag), "OC-ETag": quote_etag(node.etag),
                   "OC-FileId": f"{node.fileid:08d}ocinstance"}
        return Response(status_code=201 if created else 204, headers=headers)
    if method == "MKCOL":
        if node is not None:
            return sabre_error(405, "Sabre\\DAV\\Exception\\MethodNotAllowed", "The resource you tried to create already exists")
        parent = tree.get(parent_of(path))
        if parent is None or not parent.is_dir:
            return sabre_error(409, "Sabre\\DAV\\Exception\\Conflict", "Parent node does not exist")
        new = Node(is_dir=True, fileid=st.new_id())
        new.touch(st.tick())
        tree[path] = new
        return Response(status_code=201)
    if method == "DELETE":
        if node is None or path == "":
            return not_found(path)
        to_trash(st, uid, tree, path)
        return Response(status_code=204)
    if method in ("MOVE", "COPY"):
        if node is None:
            return not_found(path)
        dest = dest_path(request, uid)
        if dest is None or dest == "":
            return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", "The destination header was not understood")
        if dest == path or dest.startswith(f"{path}/"):
            return sabre_error(403, "Sabre\\DAV\\Exception\\Forbidden", "Source and destination overlap")
        overwrite = request.headers.get("overwrite", "T").upper() != "F"
        existing = tree.get(dest)
        if_header = request.headers.get("if")
        if if_header:
            # Tagged list: <uri> (["etag"]); the etag applies to the tagged resource (the destination).
            tagged_uri, _, cond = if_header.partition(">")
            tagged = unquote(urlsplit(tagged_uri.lstrip("<").strip()).path)
            wanted = cond.strip().strip("()").strip().strip("[]")
            target = dest if tagged.rstrip("/").endswith("/" + dest) else path
            target_node = tree.get(target)
            if target_node is None or not etag_matches(wanted, target_node.etag):
                return sabre_error(412, "Sabre\\DAV\\Exception\\PreconditionFailed",
                                   "An If-Match header was specified, but none of the specified ETags matched.")
        if existing is not None and not overwrite:
            return sabre_error(412, "Sabre\\DAV\\Exception\\PreconditionFailed",
                               "The destination node already exists, and the overwrite header is set to false")
        dest_parent = tree.get(parent_of(dest))
        if dest_parent is None or not dest_parent.is_dir:
            return sabre_error(409, "Sabre\\DAV\\Exception\\Conflict", "The destination node is not found")
        if existing is not None:
            if existing.is_dir:
                to_trash(st, uid, tree, dest)
            else:
                st.versions.setdefault(existing.fileid, []).append({
                    "version_id": str(existing.mtime), "content": existing.content,
                    "content_type": existing.content_type, "mtime": existing.mtime, "etag": existing.etag})
                del tree[dest]
        for p in subtree(tree, path):
            moved = tree.pop(p) if method == "MOVE" else Node(**{**tree[p].__dict__, "fileid": st.new_id()})
            tree[dest + p[len(path):]] = moved
        return Response(status_code=204 if existing is not None else 201)
    if method == "REPORT":
        if node is None:
            return not_found(path)
        root = ET.fromstring(await request.body())
        if root.tag != f"{OC}filter-files":
            return sabre_error(415, "Sabre\\DAV\\Exception\\ReportNotSupported", "The {DAV:}report is not supported")
        rules = root.find(f"{OC}filter-rules")
        fav = rules.find(f"{OC}favorite") if rules is not None else None
        tag_ids = [int(t.text) for t in rules.findall(f"{OC}systemtag")] if rules is not None else []
        matches = []
        for p in subtree(tree, path):
            if p == path:
                continue
            n = tree[p]
            if fav is not None and fav.text == "1" and not n.favorite:
                continue
            if any(t not in st.relations.get(n.fileid, set()) for t in tag_ids):
                continue
            matches.append(p)
        prop = root.find(f"{D}prop")
        wanted = [c.tag for c in prop] if prop is not None else None
        return respond(st, uid, tree, matches, wanted)
    if method == "PROPPATCH":
        if node is None:
            return not_found(path)
        body = await request.body()
        fav = ET.fromstring(body).find(f".//{OC}favorite")
        if fav is not None:
            node.favorite = (fav.text or "").strip() == "1"
        return multistatus_response([(href_of(uid, path, node.is_dir), {"oc:favorite": None}, [])])
    return sabre_error(501, "Sabre\\DAV\\Exception\\NotImplemented", f"{method} not implemented")


# ---------------------------------------------------------------- SEARCH /remote.php/dav/

def _literal_match(op: ET.Element, props: dict[str, Any], node: Node, st: Store) -> bool:
    tag = op.tag
    if tag == f"{D}and":
        return all(_literal_match(c, props, node, st) for c in op)
    if tag == f"{D}or":
        return any(_literal_match(c, props, node, st) for c in op)
    if tag == f"{D}not":
        return not all(_literal_match(c, props, node, st) for c in op)
    if tag == f"{D}is-collection":
        return node.is_dir
    prop = op.find(f"{D}prop")
    literal = (op.findtext(f"{D}literal") or "")
    name = prop[0].tag if prop is not None and len(prop) else ""
    if name == f"{OC}systemtag":
        return int(literal) in st.relations.get(node.fileid, set())
    key = {f"{D}displayname": "d:displayname", f"{D}getcontenttype": "d:getcontenttype",
           f"{OC}favorite": "oc:favorite"}.get(name)
    if key is None:
        raise ValueError(f"unsupported search property {name}")
    value = str(props.get(key, "") if props.get(key) is not None else "")
    if tag == f"{D}eq":
        return value == literal
    if tag == f"{D}like":
        import re
        pattern = "^" + ".*".join(re.escape(part) for part in literal.lower().split("%")) + "$"
        return re.match(pattern, value.lower(), re.S) is not None
    raise ValueError(f"unsupported operator {tag}")


async def search(request: Request) -> Response:
    uid = await current_user(request)
    st = store(request)
    body = await request.body()
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", "Invalid XML")
    basic = root.find(f"{D}basicsearch")
    if root.tag != f"{D}searchrequest" or basic is None:
        return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", "Unexpected search request")
    scope_href = unquote(basic.findtext(f"{D}from/{D}scope/{D}href") or "").strip()
    prefix = f"/files/{uid}"
    if scope_href != prefix and not scope_href.startswith(prefix + "/"):
        return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", "Invalid search scope")
    scope = scope_href[len(prefix):].strip("/")
    tree = st.tree(uid)
    if scope not in tree:
        return not_found(scope)
    where = basic.find(f"{D}where")
    matches = []
    for p in subtree(tree, scope):
        if p == scope:
            continue
        props = props_of(st, uid, tree, p)
        try:
            ok = all(_literal_match(c, props, tree[p], st) for c in where) if where is not None else True
        except ValueError as exc:
            return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", str(exc))
        if ok:
            matches.append(p)
    matches.sort(key=lambda p: (-tree[p].mtime, p))
    first = int(basic.findtext(f"{D}limit/{D}firstresult") or 0)
    count = basic.findtext(f"{D}limit/{D}nresults")
    page = matches[first:first + int(count)] if count else matches[first:]
    select = basic.find(f"{D}select/{D}prop")
    wanted = [c.tag for c in select] if select is not None else None
    return respond(st, uid, tree, page, wanted)


# ---------------------------------------------------------------- comments

def node_by_id(st: Store, uid: str, fileid: int) -> Node | None:
    return next((n for n in st.tree(uid).values() if n.fileid == fileid), None)


async def comments(request: Request) -> Response:
    uid = await current_user(request)
    st = store(request)
    fileid = int(request.path_params["fileid"])
    if node_by_id(st, uid, fileid) is None:
        return not_found(str(fileid))
    items = st.comments.setdefault(fileid, [])
    if request.method == "POST":
        data = json.loads(await request.body() or b"{}")
        message = data.get("message", "")
        if data.get("verb") != "comment" or data.get("actorType") != "users":
            return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", "Invalid comment")
        if len(message) > 1000:
            return sabre_error(413, "Sabre\\DAV\\Exception\\RequestedRangeNotSatisfiable", "Message exceeds allowed character limit of 1000")
        cid = st.new_id()
        clock = st.tick()
        items.append({"id": cid, "message": message, "actorId": uid, "actorDisplayName": uid.capitalize(),
                      "creationDateTime": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(clock)),
                      "clock": clock, "verb": "comment"})
        return Response(status_code=201, headers={"Content-Location": f"/remote.php/dav/comments/files/{fileid}/{cid}"})
    root = ET.fromstring(await request.body())
    if root.tag != f"{OC}filter-comments":
        return sabre_error(415, "Sabre\\DAV\\Exception\\ReportNotSupported", "The report is not supported")
    limit = int(root.findtext(f"{OC}limit") or 20)
    offset = int(root.findtext(f"{OC}offset") or 0)
    newest = sorted(items, key=lambda c: -c["clock"])[offset:offset + limit]
    out = []
    for c in newest:
        out.append((f"/remote.php/dav/comments/files/{fileid}/{c['id']}", {
            "oc:id": c["id"], "oc:parentId": 0, "oc:topmostParentId": 0, "oc:childrenCount": 0,
            "oc:message": c["message"], "oc:verb": "comment", "oc:actorType": "users", "oc:actorId": c["actorId"],
            "oc:actorDisplayName": c["actorDisplayName"], "oc:creationDateTime": c["creationDateTime"],
            "oc:objectType": "files", "oc:objectId": fileid}, []))
    return multistatus_response(out)


# ---------------------------------------------------------------- system tags

def tag_props(tag: dict[str, Any]) -> dict[str, Any]:
    return {"oc:id": tag["id"], "oc:display-name": tag["name"],
            "oc:user-visible": "true" if tag["visible"] else "false",
            "oc:user-assignable": "true" if tag["assignable"] else "false", "oc:can-assign": "true"}


async def systemtags(request: Request) -> Response:
    await current_user(request)
    st = store(request)
    if request.method == "POST":
        data = json.loads(await request.body() or b"{}")
        name = (data.get("name") or "").strip()
        if not name:
            return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", "Missing name")
        if any(t["name"] == name for t in st.tags.values()):
            return sabre_error(409, "Sabre\\DAV\\Exception\\Conflict", f'Tag with the properties "{name}" already exists')
        tid = st.new_id()
        st.tags[tid] = {"id": tid, "name": name, "visible": data.get("userVisible", True),
                        "assignable": data.get("userAssignable", True)}
        return Response(status_code=201, headers={"Content-Location": f"/remote.php/dav/systemtags/{tid}"})
    out = [("/remote.php/dav/systemtags/", {"d:resourcetype": Raw("<d:collection/>")}, [])]
    out += [(f"/remote.php/dav/systemtags/{t['id']}", tag_props(t), []) for t in st.tags.values()]
    return multistatus_response(out)


async def systemtag(request: Request) -> Response:
    """One tag (PROPFIND depth 0). Like Nextcloud 31+, `nc:object-ids` lists every file id carrying it, wherever the
    file is (also files outside the user's tree, e.g. pages in a collective's trash); `fake.object_ids=false`
    answers it 404 as older Nextcloud does."""
    await current_user(request)
    st = store(request)
    tag = st.tags.get(int(request.path_params["tagid"]))
    if tag is None:
        return not_found(str(request.path_params["tagid"]))
    href = f"/remote.php/dav/systemtags/{tag['id']}"
    if not st.object_ids:
        return multistatus_response([(href, tag_props(tag), ["nc:object-ids"])])
    ids = sorted(fid for fid, assigned in st.relations.items() if tag["id"] in assigned)
    objects = "".join(f"<nc:object-ids><nc:object-id>{fid}</nc:object-id><nc:object-type>files</nc:object-type>"
                      "</nc:object-ids>" for fid in ids)
    return multistatus_response([(href, {**tag_props(tag), "nc:object-ids": Raw(objects)}, [])])


async def relations(request: Request) -> Response:
    uid = await current_user(request)
    st = store(request)
    fileid = int(request.path_params["fileid"])
    if node_by_id(st, uid, fileid) is None:
        return not_found(str(fileid))
    assigned = st.relations.setdefault(fileid, set())
    tid = request.path_params.get("tagid")
    if request.method == "PROPFIND":
        out = [(f"/remote.php/dav/systemtags-relations/files/{fileid}/", {"d:resourcetype": Raw("<d:collection/>")}, [])]
        out += [(f"/remote.php/dav/systemtags-relations/files/{fileid}/{t}", tag_props(st.tags[t]), [])
                for t in sorted(assigned) if t in st.tags]
        return multistatus_response(out)
    tid = int(tid)
    if tid not in st.tags:
        return not_found(str(tid))
    if request.method == "PUT":
        if tid in assigned:
            return sabre_error(409, "Sabre\\DAV\\Exception\\Conflict", "Tag already assigned")
        assigned.add(tid)
        return Response(status_code=201)
    if tid not in assigned:
        return not_found(str(tid))
    assigned.discard(tid)
    return Response(status_code=204)


# ---------------------------------------------------------------- trash bin and versions

# Other trash backends (files_trashbin's ITrashBackend): each is called with (request, uid) and gives that user's
# entries in the shape of Store.trash entries, read-only here. Collectives registers its page trash.
TRASH_BACKENDS: list[Any] = []


def _trash_props(e: dict[str, Any], node: Node, name: str, location: str) -> dict[str, Any]:
    return {"nc:trashbin-filename": name, "nc:trashbin-original-location": location,
            "nc:trashbin-deletion-time": e["deletion_time"],
            "d:resourcetype": Raw("<d:collection/>") if node.is_dir else None,
            "d:getcontentlength": None if node.is_dir else len(node.content), "oc:fileid": node.fileid}


def _trash_inside(request: Request, uid: str, e: dict[str, Any], rest: str) -> Response:
    """PROPFIND on a trashed item or anything below it (Depth 0 or 1), as files_trashbin's TrashFolder answers:
    children are named as they were, with their own file ids."""
    base = f"/remote.php/dav/trashbin/{quote(uid)}/trash/{quote(e['entry_id'])}"
    node = e["nodes"].get(f"/{rest}" if rest else "")
    if node is None:
        return not_found(rest)
    def href(sub: str) -> str:
        return base + "".join("/" + quote(x) for x in sub.split("/") if x) + ("/" if e["nodes"][sub].is_dir else "")
    name = rest.rsplit("/", 1)[-1] if rest else e["name"]
    own = f"/{rest}" if rest else ""
    out = [(href(own), _trash_props(e, node, name, e["original_location"] + own), [])]
    if node.is_dir and request.headers.get("depth", "1") == "1":
        for sub in sorted(x for x in e["nodes"] if x.startswith(own + "/") and "/" not in x[len(own) + 1:]):
            out.append((href(sub), _trash_props(e, e["nodes"][sub], sub.rsplit("/", 1)[-1],
                                                e["original_location"] + sub), []))
    return multistatus_response(out)


async def trash(request: Request) -> Response:
    uid = await current_user(request)
    if request.path_params["uid"] != uid:
        return sabre_error(403, "Sabre\\DAV\\Exception\\Forbidden", "Access denied")
    st = store(request)
    entries = st.trash.setdefault(uid, [])
    others = [e for backend in TRASH_BACKENDS for e in backend(request, uid)]
    entry_id = request.path_params.get("entry")
    if entry_id is None:
        out = [(f"/remote.php/dav/trashbin/{quote(uid)}/trash/", {"d:resourcetype": Raw("<d:collection/>")}, [])]
        for e in entries + others:
            out.append((f"/remote.php/dav/trashbin/{quote(uid)}/trash/{quote(e['entry_id'])}",
                        _trash_props(e, e["nodes"][""], e["name"], e["original_location"]), []))
        return multistatus_response(out)
    if request.method == "PROPFIND":
        found = next((e for e in entries + others if e["entry_id"] == entry_id), None)
        if found is None:
            return not_found(entry_id)
        return _trash_inside(request, uid, found, request.path_params.get("rest", "").strip("/"))
    entry = next((e for e in entries if e["entry_id"] == entry_id), None)
    if entry is None:
        return not_found(entry_id)
    dest = urlsplit(request.headers.get("destination", "")).path
    if not dest.startswith(f"/remote.php/dav/trashbin/{quote(uid)}/restore/"):
        return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", "Invalid destination")
    tree = st.tree(uid)
    target = entry["original_location"]
    if tree.get(parent_of(target)) is None:
        target = target.rsplit("/", 1)[-1]  # Nextcloud restores to the root when the folder is gone
    if target in tree:
        return sabre_error(412, "Sabre\\DAV\\Exception\\PreconditionFailed", "Destination exists")
    for suffix, node in entry["nodes"].items():
        tree[target + suffix] = node
    entries.remove(entry)
    return Response(status_code=201)


async def versions(request: Request) -> Response:
    uid = await current_user(request)
    if request.path_params["uid"] != uid:
        return sabre_error(403, "Sabre\\DAV\\Exception\\Forbidden", "Access denied")
    st = store(request)
    if not st.versioning:
        # files_versions disabled: the versions collection does not exist.
        return not_found(f"versions/{uid}")
    fileid = int(request.path_params["fileid"])
    node = node_by_id(st, uid, fileid)
    if node is None:
        return not_found(str(fileid))
    items = st.versions.setdefault(fileid, [])
    vid = request.path_params.get("vid")
    base = f"/remote.php/dav/versions/{quote(uid)}/versions/{fileid}"
    if vid is None:
        out = [(base + "/", {"d:resourcetype": Raw("<d:collection/>")}, [])]
        for v in items:
            out.append((f"{base}/{v['version_id']}", {
                "d:getlastmodified": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(v["mtime"])),
                "d:getcontentlength": len(v["content"]), "d:getcontenttype": v["content_type"],
                "d:getetag": quote_etag(v["etag"]), "nc:version-author": uid}, []))
        return multistatus_response(out)
    version = next((v for v in items if v["version_id"] == vid), None)
    if version is None:
        return not_found(vid)
    dest = urlsplit(request.headers.get("destination", "")).path
    if dest != f"/remote.php/dav/versions/{quote(uid)}/restore/target":
        return sabre_error(400, "Sabre\\DAV\\Exception\\BadRequest", "Invalid destination")
    clock = st.tick()
    items.remove(version)
    items.append({"version_id": str(node.mtime), "content": node.content, "content_type": node.content_type,
                  "mtime": node.mtime, "etag": node.etag})
    node.content, node.content_type = version["content"], version["content_type"]
    node.touch(clock)
    return Response(status_code=204)


FILE_METHODS = ["PROPFIND", "GET", "PUT", "MKCOL", "DELETE", "MOVE", "COPY", "REPORT", "PROPPATCH"]
# Methods sabre knows no handler for on a file node: 501 Not Implemented (not Starlette's 405).
UNIMPLEMENTED = ["SEARCH", "LOCK", "UNLOCK", "POST", "PATCH", "ACL", "BIND"]


def routes(state):
    return [
        dav_route("/files/{uid}", files_endpoint, methods=FILE_METHODS + UNIMPLEMENTED),
        dav_route("/files/{uid}/", files_endpoint, methods=FILE_METHODS + UNIMPLEMENTED),
        dav_route("/files/{uid}/{path:path}", files_endpoint, methods=FILE_METHODS + UNIMPLEMENTED),
        dav_route("/", search, methods=["SEARCH"]),
        dav_route("", search, methods=["SEARCH"]),
        dav_route("/comments/files/{fileid:int}", comments, methods=["REPORT", "POST"]),
        dav_route("/comments/files/{fileid:int}/", comments, methods=["REPORT", "POST"]),
        dav_route("/systemtags/", systemtags, methods=["PROPFIND", "POST"]),
        dav_route("/systemtags", systemtags, methods=["PROPFIND", "POST"]),
        dav_route("/systemtags/{tagid:int}", systemtag, methods=["PROPFIND"]),
        dav_route("/systemtags-relations/files/{fileid:int}", relations, methods=["PROPFIND"]),
        dav_route("/systemtags-relations/files/{fileid:int}/", relations, methods=["PROPFIND"]),
        dav_route("/systemtags-relations/files/{fileid:int}/{tagid:int}", relations, methods=["PUT", "DELETE"]),
        dav_route("/trashbin/{uid}/trash", trash, methods=["PROPFIND"]),
        dav_route("/trashbin/{uid}/trash/", trash, methods=["PROPFIND"]),
        dav_route("/trashbin/{uid}/trash/{entry}", trash, methods=["MOVE", "PROPFIND"]),
        dav_route("/trashbin/{uid}/trash/{entry}/", trash, methods=["PROPFIND"]),
        dav_route("/trashbin/{uid}/trash/{entry}/{rest:path}", trash, methods=["PROPFIND"]),
        dav_route("/versions/{uid}/versions/{fileid:int}", versions, methods=["PROPFIND"]),
        dav_route("/versions/{uid}/versions/{fileid:int}/", versions, methods=["PROPFIND"]),
        dav_route("/versions/{uid}/versions/{fileid:int}/{vid}", versions, methods=["MOVE"]),
        Route("/__fake/files", control, methods=["POST"]),
    ]
