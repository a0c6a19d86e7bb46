"""OCS envelope, faithful to nextcloud/server lib/private/AppFramework/OCS/V1Response.php / V2Response.php.

v1 (/ocs/v1.php/...): HTTP 200 always (except 401 for OCS 997), meta.statuscode 100 on success,
    meta.totalitems / meta.itemsperpage present as strings.
v2 (/ocs/v2.php/...): HTTP status == OCS status, meta.statuscode 200 on success.
JSON with `?format=json` or `Accept: application/json`, XML otherwise.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

RESPOND_UNAUTHORISED = 997
STATUS_TEXT = {200: "OK", 100: "OK"}


def is_ocs(request: Request) -> bool:
    return request.url.path.startswith(("/ocs/v1.php/", "/ocs/v2.php/"))


def ocs_version(request: Request) -> int:
    return 1 if request.url.path.startswith("/ocs/v1.php/") else 2


def wants_json(request: Request) -> bool:
    fmt = request.query_params.get("format")
    if fmt is not None:
        return fmt == "json"
    return "application/json" in request.headers.get("accept", "")


def _xml_value(value: Any, indent: int) -> str:
    pad = "\t" * indent
    if isinstance(value, dict):
        if not value:
            return ""
        return "\n" + "".join(f"{pad}<{k}>{_xml_value(v, indent + 1)}</{k}>\n" for k, v in value.items()) + "\t" * (indent - 1)
    if isinstance(value, list):
        if not value:
            return ""
        return "\n" + "".join(f"{pad}<element>{_xml_value(v, indent + 1)}</element>\n" for v in value) + "\t" * (indent - 1)
    if value is True:
        return "1"
    if value is False or value is None:
        return ""
    return escape(str(value))


def ocs_xml(meta: dict[str, Any], data: Any) -> str:
    return (
        '<?xml version="1.0"?>\n<ocs>\n\t<meta>'
        + _xml_value(meta, 2)
        + "</meta>\n\t<data>"
        + _xml_value(data, 2)
        + "</data>\n</ocs>\n"
    )


def ocs_response(
    request: Request,
    data: Any,
    status: int = 200,
    message: str | None = None,
    headers: dict[str, str] | None = None,
    totalitems: str = "",
    itemsperpage: str = "",
) -> Response:
    """The OCS answer for `request` (v1 or v2 from its path, JSON or XML from format/Accept).

    `status` is the OCS status the controller sets (200 = success, 404, 400, 403, 997, ...).
    """
    version = ocs_version(request)
    ok = status in (100, 200)
    if version == 1:
        statuscode = 100 if ok else status
        http_status = 401 if status in (RESPOND_UNAUTHORISED, 401) else 200
        meta = {
            "status": "ok" if ok else "failure",
            "statuscode": statuscode,
            "message": "OK" if ok else (message or ""),
            "totalitems": totalitems,
            "itemsperpage": itemsperpage,
        }
    else:
        statuscode = 200 if ok else status
        http_status = 401 if status == RESPOND_UNAUTHORISED else statuscode
        meta = {"status": "ok" if ok else "failure", "statuscode": statuscode, "message": "OK" if ok else (message or "")}
        if totalitems:
            meta["totalitems"] = totalitems
        if itemsperpage:
            meta["itemsperpage"] = itemsperpage
    if data is None:
        data = []
    if wants_json(request):
        return JSONResponse({"ocs": {"meta": meta, "data": data}}, status_code=http_status, headers=headers,
                            media_type="application/json; charset=utf-8")
    return Response(ocs_xml(meta, data), status_code=http_status, headers=headers,
                    media_type="application/xml; charset=utf-8")


def ocs_error(request: Request, status: int, message: str, data: Any = None) -> Response:
    return ocs_response(request, data if data is not None else [], status=status, message=message)
