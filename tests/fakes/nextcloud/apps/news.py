"""News contract fake (API v1-3), from ../shared/nextcloud-api/news/ (bodies VERBATIM from nextcloud/news docs where the
samples say so, semantics DERIVED from lib/Controller/*ApiController.php and lib/Db/ItemMapperV2.php @d409f2de).

Faithful to what bites clients:
- Every route is #[CORS]: a Bearer request without `OCS-APIRequest: true` gets 401 {"message":"CORS requires basic
  auth"}; HTTP Basic (app password) always passes. /index.php/apps/news/api is public ({"apiLevels": [...]}).
- GET /items: type 0 feed, 1 folder, 2 starred, 3 all; getRead defaults to true; batchSize defaults to -1 (EVERYTHING);
  offset is an item-id cursor (id < offset, or > with oldestFirst); order by id DESC. type=2 with getRead=false answers
  200 {"message": "Setting getRead on an already filtered list is not allowed!"} WITHOUT "items". Unknown feed/folder:
  200 {"items": []}. There is no single-item route (GET /items/{id} is 405).
- GET /feeds: each feed carries "items": []; "newestItemId" omitted without items.
- POST /items/{id}/read|unread|star|unstar -> 200 [] or 404 {"message": ...}; POST /items/{action}/multiple
  {"itemIds": [...]} -> 200 with an EMPTY body (void controller), foreign ids skipped.
Control: POST /__fake/news/cron {"broken": bool}; GET /__fake/news/items-queries (query strings of GET /items).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import app_route, current_user, get_state
from ..state import FakeState

APP = "news"
BASE = "/apps/news/api/v1-3"


def reset(state: FakeState) -> None:
    feeds = {
        39: {"id": 39, "url": "http://feeds.feedburner.com/oatmealfeed", "title": "The Oatmeal - Comics, Quizzes, & Stories",
             "faviconLink": "http://theoatmeal.com/favicon.ico", "added": 1367063790, "nextUpdateTime": 2071387335,
             "folderId": 4, "ordering": 0, "link": "http://theoatmeal.com/", "pinned": True, "updateErrorCount": 0,
             "lastUpdateError": "", "items": []},
        67: {"id": 67, "url": "https://planet.kde.org/rss.xml", "title": "Planet KDE", "faviconLink": None,
             "added": 1367063800, "nextUpdateTime": None, "folderId": None, "ordering": 0, "link": "https://planet.kde.org",
             "pinned": False, "updateErrorCount": 57, "lastUpdateError": "cURL error 28: Operation timed out", "items": []},
        70: {"id": 70, "url": "https://example.org/broken.xml", "title": "Broken blog", "faviconLink": None,
             "added": 1367063900, "nextUpdateTime": 1767300000, "folderId": 4, "ordering": 0, "link": None,
             "pinned": False, "updateErrorCount": 3, "lastUpdateError": "404 Not Found", "items": []},
    }
    items: dict[int, dict[str, Any]] = {}
    for i in range(12):  # ids 3432..3443, feed 67 gets the even ones
        iid = 3432 + i
        items[iid] = {"id": iid, "guid": f"g{iid}", "guidHash": f"h{iid}", "url": f"https://example.org/post/{iid}",
                      "title": f"Post {iid}", "author": "Jan Grulich (grulja)", "pubDate": 1767200000 + iid,
                      "updatedDate": None, "body": f"<p>Body of <b>post {iid}</b> &amp; more</p>" + "<p>x</p>" * 3,
                      "enclosureMime": None, "enclosureLink": None, "mediaThumbnail": None, "mediaDescription": None,
                      "feedId": 67 if iid % 2 == 0 else 39, "unread": iid % 3 != 0, "starred": iid in (3434, 3437, 3441),
                      "filtered": False, "rtl": False, "lastModified": 1767200000, "fingerprint": f"f{iid}",
                      "contentHash": f"c{iid}"}
    state.data["news"] = {"users": {"alice": {"folders": {4: {"id": 4, "name": "Media", "opened": True, "feeds": []}},
                                              "feeds": feeds, "items": items}},
                          "cron_broken": False, "queries": []}


async def _user(request: Request) -> tuple[str | None, Any, Response | None]:
    uid = await current_user(request)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer") and request.headers.get("ocs-apirequest", "").lower() != "true":
        return None, None, JSONResponse({"message": "CORS requires basic auth"}, status_code=401)
    data = get_state(request).data["news"]["users"].setdefault(uid, {"folders": {}, "feeds": {}, "items": {}})
    return uid, data, None


def _unread_count(db: dict, feed_id: int) -> int:
    return sum(1 for i in db["items"].values() if i["feedId"] == feed_id and i["unread"])


async def api_index(request: Request) -> Response:
    return JSONResponse({"apiLevels": ["v1-2", "v1-3", "v2"]})


async def version(request: Request) -> Response:
    _, _, err = await _user(request)
    return err or JSONResponse({"version": "28.7.0"})


async def status(request: Request) -> Response:
    _, _, err = await _user(request)
    broken = get_state(request).data["news"]["cron_broken"]
    return err or JSONResponse({"version": "28.7.0", "warnings": {"improperlyConfiguredCron": broken,
                                                                  "incorrectDbCharset": False}})


async def folders(request: Request) -> Response:
    _, db, err = await _user(request)
    return err or JSONResponse({"folders": list(db["folders"].values())})


async def feeds(request: Request) -> Response:
    _, db, err = await _user(request)
    if err:
        return err
    out: dict[str, Any] = {"feeds": [{**f, "unreadCount": _unread_count(db, f["id"])} for f in db["feeds"].values()],
                           "starredCount": sum(1 for i in db["items"].values() if i["starred"])}
    if db["items"]:
        out["newestItemId"] = max(db["items"])
    return JSONResponse(out)


async def items(request: Request) -> Response:
    _, db, err = await _user(request)
    if err:
        return err
    q = request.query_params
    get_state(request).data["news"]["queries"].append(dict(q))
    kind, ident = int(q.get("type", 3)), int(q.get("id", 0))
    get_read = q.get("getRead", "true") not in ("false", "0")
    batch, offset = int(q.get("batchSize", -1)), int(q.get("offset", 0))
    oldest = q.get("oldestFirst", "false") in ("true", "1")
    if kind not in (0, 1) and not get_read and kind != 3:
        return JSONResponse({"message": "Setting getRead on an already filtered list is not allowed!"})
    rows = list(db["items"].values())
    if kind == 0:
        rows = [i for i in rows if i["feedId"] == ident]
    elif kind == 1:
        rows = [i for i in rows if db["feeds"].get(i["feedId"], {}).get("folderId") == ident]
    elif kind == 2:
        rows = [i for i in rows if i["starred"]]
    if not get_read:
        rows = [i for i in rows if i["unread"]]
    if offset:
        rows = [i for i in rows if (i["id"] > offset if oldest else i["id"] < offset)]
    rows.sort(key=lambda i: i["id"], reverse=not oldest)
    if batch >= 0:
        rows = rows[:batch]
    return JSONResponse({"items": rows})


async def single_item(request: Request) -> Response:
    return JSONResponse({"message": "Method not allowed"}, status_code=405)


async def mark_one(request: Request) -> Response:
    _, db, err = await _user(request)
    if err:
        return err
    item = db["items"].get(int(request.path_params["id"]))
    if item is None:
        return JSONResponse({"message": "Did expect one result but found none when executing: query"}, status_code=404)
    _apply(item, request.path_params["action"])
    return JSONResponse([])


def _apply(item: dict, action: str) -> None:
    key, value = {"read": ("unread", False), "unread": ("unread", True), "star": ("starred", True),
                  "unstar": ("starred", False)}[action]
    item[key] = value


async def mark_multiple(request: Request) -> Response:
    _, db, err = await _user(request)
    if err:
        return err
    body = await request.json()
    for iid in body.get("itemIds", []):
        if iid in db["items"]:
            _apply(db["items"][iid], request.path_params["action"])
    return Response(b"", status_code=200)  # void controller: empty body


async def control_cron(request: Request) -> Response:
    get_state(request).data["news"]["cron_broken"] = bool((await request.json()).get("broken"))
    return JSONResponse({"ok": True})


async def control_queries(request: Request) -> Response:
    return JSONResponse(get_state(request).data["news"]["queries"])


async def control_items(request: Request) -> Response:
    db = get_state(request).data["news"]["users"]["alice"]
    return JSONResponse({str(k): {"unread": v["unread"], "starred": v["starred"]} for k, v in db["items"].items()})


def routes(state: FakeState) -> list:
    from starlette.routing import Route
    actions = "{action:str}"
    return [
        app_route("/apps/news/api", api_index, public=True),
        app_route(f"{BASE}/version", version),
        app_route(f"{BASE}/status", status),
        app_route(f"{BASE}/folders", folders),
        app_route(f"{BASE}/feeds", feeds),
        app_route(f"{BASE}/items", items),
        app_route(f"{BASE}/items/{{id:int}}", single_item, methods=["GET"]),
        app_route(f"{BASE}/items/{{id:int}}/{actions}", mark_one, methods=["POST"]),
        app_route(f"{BASE}/items/{actions}/multiple", mark_multiple, methods=["POST"]),
        Route("/__fake/news/cron", control_cron, methods=["POST"]),
        Route("/__fake/news/items-queries", control_queries, methods=["GET"]),
        Route("/__fake/news/items", control_items, methods=["GET"]),
    ]
