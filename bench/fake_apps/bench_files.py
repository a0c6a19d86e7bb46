"""WebDAV files (PROPFIND depth 0/1, GET, PUT, MKCOL) — benchmark fallback, see __init__."""

from __future__ import annotations

import email.utils
import mimetypes
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from tests.fakes.nextcloud import current_user, dav_route, get_state, make_etag, multistatus_response, quote_etag, sabre_error
from tests.fakes.nextcloud.dav import depth, not_found, requested_props

MTIME = email.utils.formatdate(1_700_000_000, usegmt=True)


def reset(state) -> None:
    state.data["bench_files"] = {}


def _tree(request: Request, uid: str) -> dict[str, bytes | None]:
    """path ('' = root, 'a/b') -> bytes for files, None for folders."""
    tree = get_state(request).data.setdefault("bench_files", {}).setdefault(uid, {"": None})
    return tree


def _path(request: Request) -> str:
    return request.path_params.get("path", "").strip("/")


def _props(uid: str, path: str, value: bytes | None) -> tuple[str, dict, list]:
    href = f"/remote.php/dav/files/{uid}/" + quote(path) + ("/" if value is None and path else "")
    props = {
        "{DAV:}getlastmodified": MTIME,
        "{DAV:}getetag": quote_etag(make_etag(uid, path, len(value or b""))),
        "{http://owncloud.org/ns}fileid": abs(hash(path)) % 100000,
        "{http://owncloud.org/ns}permissions": "RGDNVW" if value is not None else "RGDNVCK",
        "{http://owncloud.org/ns}size": len(value or b""),
        "{http://owncloud.org/ns}favorite": 0,
    }
    missing = []
    if value is None:
        from tests.fakes.nextcloud import Raw

        props["{DAV:}resourcetype"] = Raw("<d:collection/>")
        missing = ["{DAV:}getcontenttype", "{DAV:}getcontentlength"]
    else:
        props["{DAV:}resourcetype"] = None
        props["{DAV:}getcontenttype"] = mimetypes.guess_type(path)[0] or "application/octet-stream"
        props["{DAV:}getcontentlength"] = len(value)
    return href, props, missing


async def propfind(request: Request) -> Response:
    uid = await current_user(request)
    if request.path_params["user"] != uid:
        return not_found()
    tree, path = _tree(request, uid), _path(request)
    if path not in tree:
        return not_found(f"File with name {path} could not be located")
    wanted = await requested_props(request)
    items = [path]
    if tree[path] is None and depth(request, "1") != "0":
        prefix = f"{path}/" if path else ""
        items += sorted(p for p in tree if p.startswith(prefix) and p != path and "/" not in p[len(prefix):])
    out = []
    for p in items:
        href, props, missing = _props(uid, p, tree[p])
        if wanted is not None:
            missing = [w for w in wanted if w not in props]
            props = {k: v for k, v in props.items() if k in wanted}
        out.append((href, props, missing))
    return multistatus_response(out)


async def get(request: Request) -> Response:
    uid = await current_user(request)
    tree, path = _tree(request, uid), _path(request)
    value = tree.get(path)
    if path not in tree or request.path_params["user"] != uid:
        return not_found()
    if value is None:
        return sabre_error(501, "Sabre\\DAV\\Exception\\NotImplemented", "GET is only implemented on File objects")
    _, props, _ = _props(uid, path, value)
    return Response(value, media_type=props["{DAV:}getcontenttype"],
                    headers={"ETag": props["{DAV:}getetag"], "Last-Modified": MTIME})


async def put(request: Request) -> Response:
    uid = await current_user(request)
    tree, path = _tree(request, uid), _path(request)
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    if parent not in tree or tree[parent] is not None:
        return sabre_error(409, "Sabre\\DAV\\Exception\\Conflict", "Files can only be created as children of collections")
    existed = path in tree
    tree[path] = await request.body()
    return Response(status_code=204 if existed else 201, headers={"ETag": quote_etag(make_etag(uid, path, len(tree[path])))})


async def mkcol(request: Request) -> Response:
    uid = await current_user(request)
    tree, path = _tree(request, uid), _path(request)
    if path in tree:
        return sabre_error(405, "Sabre\\DAV\\Exception\\MethodNotAllowed", "The resource you tried to create already exists")
    tree[path] = None
    return Response(status_code=201)


def routes(state) -> list:
    return [
        dav_route("/files/{user}", propfind, methods=["PROPFIND"]),
        dav_route("/files/{user}/{path:path}", propfind, methods=["PROPFIND"]),
        dav_route("/files/{user}/{path:path}", get, methods=["GET"]),
        dav_route("/files/{user}/{path:path}", put, methods=["PUT"]),
        dav_route("/files/{user}/{path:path}", mkcol, methods=["MKCOL"]),
    ]
