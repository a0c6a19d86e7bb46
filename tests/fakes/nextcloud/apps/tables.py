"""Tables contract fake: API v1 at /index.php/apps/tables/api/1/... (plain JSON, errors {"message": ...})
and OCS API v2 at /ocs/v2.php/apps/tables/api/2/... (envelope; errors with ocs.data = {"message": ...}).

Built from ../shared/nextcloud-api/tables/ (openapi_subset.json, nextcloud/tables @ed46be1f) with its quirks:
- row data in answers is a LIST of {columnId, value} (lib/Db/Row2.php), although openapi types it as an object;
- row data in requests is a {columnId: value} map, as a JSON object or a JSON-encoded string;
- columns follow the openapi Column schema; selectionOptions is a JSON-encoded string there;
- the scheme answer is {title, emoji, columns, views, description, tablesVersion} (TableScheme);
- tables of other users answer 403 {"message": ...}; unknown ids 404.
Seeded for `alice`: table 3 "Todo list" with columns 12 Task (text line, mandatory), 13 Count
(number, min 0), 14 State (selection Open/Done), 15 Due (datetime date), 16 Urgent (selection check)
and two rows (41, 42).
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import app_route, current_user, get_state, ocs_response, ocs_route

APP = "tables"


def _column(cid: int, title: str, ctype: str, subtype: str = "", **extra: Any) -> dict[str, Any]:
    base = {
        "id": cid, "uuid": f"col-{cid}", "title": title, "technicalName": f"column_{cid}", "tableId": 3,
        "createdBy": "alice", "createdByDisplayName": "Alice Example", "createdAt": "2024-01-10 09:15:00",
        "lastEditBy": "alice", "lastEditByDisplayName": "Alice Example", "lastEditAt": "2024-01-10 09:15:00",
        "type": ctype, "subtype": subtype, "mandatory": False, "description": "", "orderWeight": 0,
        "numberDefault": None, "numberMin": None, "numberMax": None, "numberDecimals": 0, "numberPrefix": "",
        "numberSuffix": "", "textDefault": "", "textAllowedPattern": "", "textMaxLength": None, "textUnique": False,
        "selectionOptions": "[]", "selectionDefault": "", "datetimeDefault": "", "usergroupDefault": "",
        "usergroupMultipleItems": False, "usergroupSelectUsers": True, "usergroupSelectGroups": False,
        "usergroupSelectTeams": False, "showUserStatus": False, "viewColumnInformation": None, "customSettings": None,
    }
    base.update(extra)
    return base


def reset(state) -> None:
    columns = {
        12: _column(12, "Task", "text", "line", mandatory=True, textMaxLength=200),
        13: _column(13, "Count", "number", "", numberMin=0),
        14: _column(14, "State", "selection", "", selectionOptions=json.dumps([{"id": 1, "label": "Open"}, {"id": 2, "label": "Done"}])),
        15: _column(15, "Due", "datetime", "date"),
        16: _column(16, "Urgent", "selection", "check"),
    }
    state.data["tables"] = {
        "seq": 100,
        "tables": {3: {"id": 3, "title": "Todo list", "emoji": "✅", "ownership": "alice", "description": "",
                       "createdAt": "2024-01-10 09:15:00", "lastEditAt": "2024-01-10 09:15:00"}},
        "columns": columns,
        "rows": {
            41: {"id": 41, "tableId": 3, "cells": {12: "Buy milk", 13: 2, 14: 1}, "createdBy": "alice",
                 "createdAt": "2024-01-10 09:20:00", "lastEditBy": "alice", "lastEditAt": "2024-01-10 09:20:00"},
            42: {"id": 42, "tableId": 3, "cells": {12: "Call Bob", 14: 2, 16: "true"}, "createdBy": "alice",
                 "createdAt": "2024-01-10 09:21:00", "lastEditBy": "alice", "lastEditAt": "2024-01-10 09:21:00"},
        },
        "views": {7: {"id": 7, "title": "Open tasks", "emoji": "📋", "tableId": 3, "columns": [12, 13, 14],
                      "filter": [[{"columnId": 14, "operator": "is-equal", "value": 1}]], "sort": []}},
    }


class TablesError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message


def _db(request: Request) -> dict[str, Any]:
    return get_state(request).data["tables"]


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


def _table(request: Request, uid: str, table_id: int) -> dict[str, Any]:
    table = _db(request)["tables"].get(table_id)
    if table is None:
        raise TablesError(404, f"Table not found: {table_id}")
    if table["ownership"] != uid:
        raise TablesError(403, f"PermissionError: can not read table with id {table_id}")
    return table


def _columns(request: Request, table_id: int) -> list[dict[str, Any]]:
    return [c for c in _db(request)["columns"].values() if c["tableId"] == table_id]


def _rows_of(request: Request, table_id: int) -> list[dict[str, Any]]:
    return sorted((r for r in _db(request)["rows"].values() if r["tableId"] == table_id), key=lambda r: r["id"])


def _table_json(request: Request, t: dict[str, Any]) -> dict[str, Any]:
    state = get_state(request)
    return {
        "id": t["id"], "title": t["title"], "emoji": t["emoji"], "ownership": t["ownership"],
        "ownerDisplayName": state.user(t["ownership"]).display_name, "createdBy": t["ownership"],
        "createdAt": t["createdAt"], "lastEditBy": t["ownership"], "lastEditAt": t["lastEditAt"],
        "archived": False, "isShared": False, "favorite": False, "onSharePermissions": None, "hasShares": False,
        "rowsCount": len(_rows_of(request, t["id"])), "columnsCount": len(_columns(request, t["id"])),
        "description": t["description"], "views": [_view_json(request, v) for v in _views(request, t["id"])],
        "columnOrder": [], "sort": [],
    }


def _views(request: Request, table_id: int) -> list[dict[str, Any]]:
    return [v for v in _db(request)["views"].values() if v["tableId"] == table_id]


def _view_json(request: Request, v: dict[str, Any]) -> dict[str, Any]:
    return {**v, "technicalName": None, "ownership": "alice", "ownerDisplayName": "Alice Example", "createdBy": "alice",
            "dataByAlias": {}, "createdAt": "2024-01-10 09:15:00", "lastEditBy": "alice",
            "lastEditAt": "2024-01-10 09:15:00", "description": "", "columnSettings": [], "isShared": False,
            "favorite": False, "onSharePermissions": None, "hasShares": False, "rowsCount": 1}


def _row_json(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "tableId": r["tableId"], "createdBy": r["createdBy"], "createdAt": r["createdAt"],
            "lastEditBy": r["lastEditBy"], "lastEditAt": r["lastEditAt"],
            "data": [{"columnId": cid, "value": v} for cid, v in sorted(r["cells"].items())], "dataByAlias": {}}


def _parse_data(request: Request, table_id: int, data: Any) -> dict[int, Any]:
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise TablesError(400, "Invalid data") from None
    if not isinstance(data, dict):
        raise TablesError(400, "Invalid data")
    known = {c["id"] for c in _columns(request, table_id)}
    cells: dict[int, Any] = {}
    for key, value in data.items():
        try:
            cid = int(key)
        except ValueError:
            raise TablesError(400, f"Column with id {key} is not part of table with id {table_id}") from None
        if cid not in known:
            raise TablesError(400, f"Column with id {cid} is not part of table with id {table_id}")
        cells[cid] = value
    return cells


def v1(fn):
    async def wrapped(request: Request) -> Response:
        uid = await current_user(request)
        try:
            return await fn(request, uid, **request.path_params)
        except TablesError as exc:
            return JSONResponse({"message": exc.message}, status_code=exc.status)
    wrapped.__name__ = fn.__name__
    return wrapped


def v2(fn):
    async def wrapped(request: Request) -> Response:
        uid = await current_user(request)
        try:
            return await fn(request, uid, **request.path_params)
        except TablesError as exc:
            return ocs_response(request, {"message": exc.message}, status=exc.status, message=exc.message)
    wrapped.__name__ = fn.__name__
    return wrapped


@v2
async def list_tables(request: Request, uid: str) -> Response:
    tables = [_table_json(request, t) for t in _db(request)["tables"].values() if t["ownership"] == uid]
    return ocs_response(request, tables)


@v1
async def get_table(request: Request, uid: str, table_id: int) -> Response:
    return JSONResponse(_table_json(request, _table(request, uid, table_id)))


@v1
async def scheme(request: Request, uid: str, table_id: int) -> Response:
    t = _table(request, uid, table_id)
    body = {"title": t["title"], "emoji": t["emoji"], "columns": _columns(request, table_id),
            "views": [_view_json(request, v) for v in _views(request, table_id)], "description": t["description"],
            "tablesVersion": "0.8.0"}
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{t["title"]}.json"'})


@v1
async def columns(request: Request, uid: str, table_id: int) -> Response:
    _table(request, uid, table_id)
    return JSONResponse(_columns(request, table_id))


@v1
async def rows(request: Request, uid: str, table_id: int) -> Response:
    _table(request, uid, table_id)
    limit = request.query_params.get("limit")
    offset = int(request.query_params.get("offset") or 0)
    items = _rows_of(request, table_id)[offset:]
    if limit is not None:
        items = items[: int(limit)]
    return JSONResponse([_row_json(r) for r in items])


@v2
async def create_row(request: Request, uid: str, collection: str, node_id: int) -> Response:
    if collection not in ("tables", "views"):
        raise TablesError(404, "Not found")
    db = _db(request)
    table_id = node_id if collection == "tables" else db["views"].get(node_id, {}).get("tableId", -1)
    _table(request, uid, table_id)
    body = await request.json()
    if "data" not in body:
        raise TablesError(400, "data is required")
    cells = _parse_data(request, table_id, body["data"])
    db["seq"] += 1
    now = _now()
    row = {"id": db["seq"], "tableId": table_id, "cells": {k: v for k, v in cells.items() if v is not None},
           "createdBy": uid, "createdAt": now, "lastEditBy": uid, "lastEditAt": now}
    db["rows"][row["id"]] = row
    return ocs_response(request, _row_json(row))


@v1
async def row(request: Request, uid: str, row_id: int) -> Response:
    db = _db(request)
    r = db["rows"].get(row_id)
    if r is None:
        raise TablesError(404, f"Row not found: {row_id}")
    _table(request, uid, r["tableId"])
    if request.method == "DELETE":
        del db["rows"][row_id]
        return JSONResponse(_row_json(r))
    if request.method == "PUT":
        body = await request.json()
        if "data" not in body:
            raise TablesError(400, "data is required")
        for cid, value in _parse_data(request, r["tableId"], body["data"]).items():
            if value is None:
                r["cells"].pop(cid, None)
            else:
                r["cells"][cid] = copy.deepcopy(value)
        r["lastEditBy"], r["lastEditAt"] = uid, _now()
    return JSONResponse(_row_json(r))


def routes(state) -> list[Any]:
    api1 = "/apps/tables/api/1"
    return [
        *ocs_route("/apps/tables/api/2/tables", list_tables, methods=["GET"]),
        *ocs_route("/apps/tables/api/2/{collection}/{node_id:int}/rows", create_row, methods=["POST"]),
        app_route(api1 + "/tables/{table_id:int}", get_table, methods=["GET"]),
        app_route(api1 + "/tables/{table_id:int}/scheme", scheme, methods=["GET"]),
        app_route(api1 + "/tables/{table_id:int}/columns", columns, methods=["GET"]),
        app_route(api1 + "/tables/{table_id:int}/rows", rows, methods=["GET"]),
        app_route(api1 + "/rows/{row_id:int}", row, methods=["GET", "PUT", "DELETE"]),
    ]
