"""Shopping List contract fake (otherworld-dev/Shopping-List 1.1.0), from ../shared/nextcloud-api/shoppinglist/ (all samples
DERIVED from the app's controllers/services @249cf785).

Faithful to what bites clients:
- OCS v2 only shape used by clients: `ocs.data` is a BARE array/object or null; errors put their text in `ocs.data.message`
  while `ocs.meta.message` is "" (e.g. 404 {"message": "List not found"}, 403 "No write access" / "Owner access required").
- A list not shared with the caller is 404 "List not found" (no 403 on reads). Read-only shares (permission 0) get 403 on writes.
- Create list/item answer 201; delete list/item 204 with an EMPTY body; clear-checked / uncheck-all 200 with data null.
- POST items: one item per call, NO `checked` parameter (ignored), NO server-side area detection (shopAreaId omitted -> null),
  quantity defaults to "1".
- PUT item: partial; quantity/unit/shopAreaId present-and-null CLEAR, name null ignored. The {listId} in the path is NOT
  checked against the item (the item is looked up by id alone; write access is tested on its real list) - as in the app.
- Static routes (`items/checked`, `items/uncheck-all`) are matched before `items/{id}`.
- No capability: the app is detected by probing GET .../lists (404/998 when disabled, done by the fake's app gate).
Control: GET /__fake/shopping_list/state (lists, items, areas); GET /__fake/shopping_list/bodies (JSON bodies of POST/PUT item calls).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import current_user, get_state, ocs_route
from ..state import FakeState

APP = "shopping_list"
BASE = "/apps/shopping_list/api/v1"

# name, keywords (truncated excerpts of the app's ShopAreaService::DEFAULTS), in sortOrder.
DEFAULT_AREAS = [
    ("Produce", ["lettuce", "tomato", "tomatoes", "potato", "onion", "garlic", "lemon", "apple", "banana", "carrot"]),
    ("Dairy", ["milk", "cheese", "butter", "cream", "yogurt", "egg", "eggs"]),
    ("Bakery", ["bread", "roll", "baguette", "croissant"]),
    ("Meat & Seafood", ["chicken", "beef", "pork", "fish", "bacon"]),
    ("Frozen", ["frozen", "ice cream"]),
    ("Beverages", ["water", "juice", "coffee", "tea", "beer", "wine"]),
    ("Snacks", ["chips", "chocolate", "cookies"]),
    ("Household", ["detergent", "paper towel", "sponge"]),
    ("Personal Care", ["shampoo", "soap", "toothpaste"]),
    ("General", ["flour", "baking powder", "baking soda", "yeast", "sugar", "salt", "cornstarch"]),
    ("Pets", ["cat food", "dog food"]),
    ("Other", []),
]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _db(state: FakeState) -> dict[str, Any]:
    return state.data["shopping_list"]


def _seed_areas(db: dict, list_id: int) -> None:
    for order, (name, keywords) in enumerate(DEFAULT_AREAS):
        aid = db["next_area"]
        db["next_area"] += 1
        db["areas"][aid] = {"id": aid, "listId": list_id, "name": name, "sortOrder": order, "color": "#795548",
                            "keywords": list(keywords)}


def _new_list(db: dict, owner: str, title: str, lid: int | None = None) -> dict:
    if lid is None:
        lid = db["next_list"]
    db["next_list"] = max(db["next_list"], lid + 1)
    now = _now()
    row = {"id": lid, "userId": owner, "title": title, "createdAt": now, "updatedAt": now}
    db["lists"][lid] = row
    _seed_areas(db, lid)
    return row


def _new_item(db: dict, list_id: int, name: str, quantity: str | None = "1", unit: str | None = None,
              area: int | None = None, checked: bool = False, by: str | None = None, iid: int | None = None) -> dict:
    if iid is None:
        iid = db["next_item"]
    db["next_item"] = max(db["next_item"], iid + 1)
    now = _now()
    row = {"id": iid, "listId": list_id, "name": name, "quantity": quantity, "unit": unit, "shopAreaId": area,
           "checked": checked, "checkedBy": by, "sortOrder": 0, "tags": [], "createdAt": now, "updatedAt": now}
    db["items"][iid] = row
    return row


def _area_id(db: dict, list_id: int, name: str) -> int:
    return next(a["id"] for a in db["areas"].values() if a["listId"] == list_id and a["name"] == name)


def reset(state: FakeState) -> None:
    db: dict[str, Any] = {"lists": {}, "items": {}, "areas": {}, "shares": {}, "next_list": 1, "next_item": 1,
                          "next_area": 1, "bodies": []}
    state.data["shopping_list"] = db
    _new_list(db, "alice", "Weekly groceries", lid=4)
    _new_item(db, 4, "flour", "2", "cups", _area_id(db, 4, "General"), iid=31)
    _new_item(db, 4, "eggs", "1", None, None, iid=32)
    _new_item(db, 4, "milk", "1", "l", _area_id(db, 4, "Dairy"), checked=True, by="bob", iid=28)
    _new_list(db, "bob", "Party", lid=9)
    db["shares"][9] = {"alice": 0}  # read-only share
    _new_item(db, 9, "chips", "3", "bags", _area_id(db, 9, "Snacks"), iid=40)
    _new_list(db, "bob", "Bob's private", lid=10)
    _new_item(db, 10, "beer", "6", None, None, iid=50)
    _new_list(db, "bob", "Shared with write", lid=11)
    db["shares"][11] = {"alice": 1}
    db["next_item"] = 60


def _envelope(data: Any, status: int = 200) -> Response:
    if status == 204:
        return Response(b"", status_code=204)
    ok = status < 400
    meta = {"status": "ok" if ok else "failure", "statuscode": status, "message": "OK" if ok else ""}
    return JSONResponse({"ocs": {"meta": meta, "data": data}}, status_code=status,
                        media_type="application/json; charset=utf-8")


def _error(status: int, message: str) -> Response:
    return _envelope({"message": message}, status)


def _permission(db: dict, row: dict, uid: str) -> int | None:
    """1 = write, 0 = read, None = no access."""
    if row["userId"] == uid:
        return 1
    return db["shares"].get(row["id"], {}).get(uid)


def _view(db: dict, row: dict, uid: str) -> dict:
    return {**row, "permission": _permission(db, row, uid), "isOwner": row["userId"] == uid}


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.response = _error(status, message)


def _list_for(db: dict, uid: str, lid: int, write: bool = False, owner: bool = False) -> dict:
    row = db["lists"].get(lid)
    if row is None or _permission(db, row, uid) is None:
        raise _Refused(404, "List not found")
    if owner and row["userId"] != uid:
        raise _Refused(403, "Owner access required")
    if write and _permission(db, row, uid) != 1:
        raise _Refused(403, "No write access")
    return row


def _item_for(db: dict, uid: str, iid: int) -> dict:
    """By id ALONE, write access tested on the item's real list (the path's listId is not checked)."""
    item = db["items"].get(iid)
    if item is None:
        raise _Refused(404, "Item not found")
    _list_for(db, uid, item["listId"], write=True)
    return item


def _handler(fn):
    async def endpoint(request: Request) -> Response:
        uid = await current_user(request)
        db = _db(get_state(request))
        try:
            return await fn(request, db, uid)
        except _Refused as refused:
            return refused.response
    return endpoint


async def _json(request: Request) -> dict:
    raw = await request.body()
    if not raw:
        return {}
    import json
    body = json.loads(raw)
    return body if isinstance(body, dict) else {}


def _pid(request: Request, key: str = "id") -> int:
    return int(request.path_params[key])


async def lists_index(request: Request, db: dict, uid: str) -> Response:
    own = [_view(db, r, uid) for r in db["lists"].values() if r["userId"] == uid]
    shared = [_view(db, r, uid) for r in db["lists"].values() if r["userId"] != uid and _permission(db, r, uid) is not None]
    return _envelope(own + shared)


async def lists_create(request: Request, db: dict, uid: str) -> Response:
    body = await _json(request)
    if "title" not in body:
        return _error(400, "Missing parameter 'title'")
    return _envelope(_view(db, _new_list(db, uid, str(body["title"])), uid), 201)


async def list_show(request: Request, db: dict, uid: str) -> Response:
    return _envelope(_view(db, _list_for(db, uid, _pid(request)), uid))


async def list_update(request: Request, db: dict, uid: str) -> Response:
    row = _list_for(db, uid, _pid(request), write=True)
    body = await _json(request)
    if "title" in body:
        row["title"] = str(body["title"])
        row["updatedAt"] = _now()
    return _envelope(_view(db, row, uid))


async def list_destroy(request: Request, db: dict, uid: str) -> Response:
    row = _list_for(db, uid, _pid(request), owner=True)
    lid = row["id"]
    del db["lists"][lid]
    db["items"] = {k: v for k, v in db["items"].items() if v["listId"] != lid}
    db["areas"] = {k: v for k, v in db["areas"].items() if v["listId"] != lid}
    db["shares"].pop(lid, None)
    return _envelope(None, 204)


def _sorted_items(db: dict, lid: int) -> list[dict]:
    rows = [i for i in db["items"].values() if i["listId"] == lid]
    # ORDER BY checked ASC, sort_order ASC, created_at DESC (ids grow with creation time here)
    return sorted(rows, key=lambda i: (i["checked"], i["sortOrder"], -i["id"]))


async def items_index(request: Request, db: dict, uid: str) -> Response:
    row = _list_for(db, uid, _pid(request))
    return _envelope(_sorted_items(db, row["id"]))


async def areas_index(request: Request, db: dict, uid: str) -> Response:
    row = _list_for(db, uid, _pid(request))
    areas = sorted((a for a in db["areas"].values() if a["listId"] == row["id"]), key=lambda a: a["sortOrder"])
    return _envelope(areas)


async def item_create(request: Request, db: dict, uid: str) -> Response:
    row = _list_for(db, uid, _pid(request), write=True)
    body = await _json(request)
    db["bodies"].append({"method": "POST", "path": request.url.path, "body": body})
    if "name" not in body:
        return _error(400, "Missing parameter 'name'")
    quantity = body.get("quantity")
    item = _new_item(db, row["id"], str(body["name"]), "1" if quantity is None else str(quantity), body.get("unit"),
                     body.get("shopAreaId"))
    if body.get("areaExplicit") and body.get("shopAreaId") in db["areas"]:
        db["areas"][body["shopAreaId"]]["keywords"].append(item["name"].lower())
    return _envelope(item, 201)


async def item_update(request: Request, db: dict, uid: str) -> Response:
    item = _item_for(db, uid, _pid(request))
    body = await _json(request)
    db["bodies"].append({"method": "PUT", "path": request.url.path, "body": body})
    if body.get("name") is not None:
        item["name"] = str(body["name"])
    for key in ("quantity", "unit", "shopAreaId"):
        if key in body:  # array_key_exists: explicit null clears
            item[key] = body[key]
    if body.get("sortOrder") is not None:
        item["sortOrder"] = int(body["sortOrder"])
    item["updatedAt"] = _now()
    return _envelope(item)


async def item_check(request: Request, db: dict, uid: str) -> Response:
    item = _item_for(db, uid, _pid(request))
    body = await _json(request)
    if "checked" not in body:
        return _error(400, "Missing parameter 'checked'")
    item["checked"] = bool(body["checked"])
    item["checkedBy"] = uid if item["checked"] else None
    item["updatedAt"] = _now()
    return _envelope(item)


async def item_destroy(request: Request, db: dict, uid: str) -> Response:
    item = _item_for(db, uid, _pid(request))
    del db["items"][item["id"]]
    return _envelope(None, 204)


async def clear_checked(request: Request, db: dict, uid: str) -> Response:
    row = _list_for(db, uid, _pid(request), write=True)
    db["items"] = {k: v for k, v in db["items"].items() if not (v["listId"] == row["id"] and v["checked"])}
    return _envelope(None)


async def uncheck_all(request: Request, db: dict, uid: str) -> Response:
    row = _list_for(db, uid, _pid(request), write=True)
    for item in db["items"].values():
        if item["listId"] == row["id"]:
            item["checked"], item["checkedBy"] = False, None
    return _envelope(None)


async def control_state(request: Request) -> Response:
    db = _db(get_state(request))
    return JSONResponse({"lists": {str(k): v for k, v in db["lists"].items()},
                         "items": {str(k): v for k, v in db["items"].items()}})


async def control_bodies(request: Request) -> Response:
    return JSONResponse(_db(get_state(request))["bodies"])


def routes(state: FakeState) -> list:
    lists = f"{BASE}/lists"
    one = f"{lists}/{{id:int}}"
    item = f"{lists}/{{list_id:int}}/items/{{id:int}}"
    out: list = []
    for path, fn, methods in [
        (lists, lists_index, ["GET"]),
        (lists, lists_create, ["POST"]),
        (one, list_show, ["GET"]),
        (one, list_update, ["PUT"]),
        (one, list_destroy, ["DELETE"]),
        (f"{one}/areas", areas_index, ["GET"]),
        # static segments before {id}, as the app's routes.php declares them
        (f"{one}/items/checked", clear_checked, ["DELETE"]),
        (f"{one}/items/uncheck-all", uncheck_all, ["POST"]),
        (f"{one}/items", items_index, ["GET"]),
        (f"{one}/items", item_create, ["POST"]),
        (item, item_update, ["PUT"]),
        (item, item_destroy, ["DELETE"]),
        (f"{item}/check", item_check, ["PUT"]),
    ]:
        out += ocs_route(path, _handler(fn), methods=methods)
    out += [Route("/__fake/shopping_list/state", control_state, methods=["GET"]),
            Route("/__fake/shopping_list/bodies", control_bodies, methods=["GET"])]
    return out
