"""WebDAV helpers: Sabre error bodies, multistatus building, quoted ETags.

Namespaces as Nextcloud uses them: d=DAV:, oc=http://owncloud.org/ns, nc=http://nextcloud.org/ns,
s=http://sabredav.org/ns, ocs=http://open-collaboration-services.org/ns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response

NS = {
    "d": "DAV:",
    "oc": "http://owncloud.org/ns",
    "nc": "http://nextcloud.org/ns",
    "s": "http://sabredav.org/ns",
    "ocs": "http://open-collaboration-services.org/ns",
    "cal": "urn:ietf:params:xml:ns:caldav",
    "card": "urn:ietf:params:xml:ns:carddav",
    "cs": "http://calendarserver.org/ns/",
    "x1": "http://apple.com/ns/ical/",  # Sabre prefixes unknown namespaces x1, x2, ...
}
_PREFIX = {v: k for k, v in NS.items()}
XML_HEADERS = {"Content-Type": "application/xml; charset=utf-8"}


def quote_etag(etag: str) -> str:
    """ETags are always quoted on the wire (AppFramework setETag and Sabre both wrap in `"`)."""
    etag = etag.strip()
    if etag.startswith('W/"') or (len(etag) >= 2 and etag[0] == etag[-1] == '"'):
        return etag
    return f'"{etag}"'


def make_etag(*parts: Any) -> str:
    """A stable unquoted etag (md5 of the parts), like Nextcloud's md5-based etags."""
    return hashlib.md5("\0".join(str(p) for p in parts).encode()).hexdigest()


def etag_matches(header: str | None, etag: str) -> bool:
    """If-Match / If-None-Match semantics: `*` or one of the comma-separated quoted etags."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    wanted = quote_etag(etag)
    return any(quote_etag(tag) == wanted for tag in header.split(",") if tag.strip())


def sabre_error(status: int, exception: str, message: str, headers: Mapping[str, str] | None = None,
                extra: str = "") -> Response:
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">\n'
        f"  <s:exception>{escape(exception)}</s:exception>\n"
        f"  <s:message>{escape(message)}</s:message>\n"
        f"{extra}"
        "</d:error>\n"
    )
    return Response(body, status_code=status, headers={**XML_HEADERS, **(headers or {})})


def not_found(message: str = "File not found") -> Response:
    return sabre_error(404, "Sabre\\DAV\\Exception\\NotFound", message)


def _qname(name: str) -> tuple[str, str]:
    """'d:getetag' or '{DAV:}getetag' -> (namespace, local)."""
    if name.startswith("{"):
        ns, local = name[1:].split("}", 1)
        return ns, local
    prefix, local = name.split(":", 1)
    return NS[prefix], local


def _prefixed(name: str) -> str:
    ns, local = _qname(name)
    prefix = _PREFIX.get(ns)
    if prefix is None:
        raise ValueError(f"unknown namespace {ns}")
    return f"{prefix}:{local}"


def _render_value(value: Any) -> str:
    """A property value: str/int (escaped text), None (empty), raw XML via Raw, or a list of Raw."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value.xml
    if isinstance(value, list):
        return "".join(_render_value(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return escape(str(value))


class Raw:
    """Pre-rendered XML inside a property value, e.g. Raw('<d:collection/>')."""

    def __init__(self, xml: str) -> None:
        self.xml = xml


def multistatus(responses: Iterable[tuple[str, Mapping[str, Any], Iterable[str]]] , sync_token: str | None = None) -> str:
    """Build a d:multistatus document.

    `responses`: (href, found_props, missing_props) with props keyed 'd:getetag' / '{DAV:}getetag'.
    Found props get a 200 propstat, missing ones a 404 propstat (as Sabre does).
    """
    ns_decl = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())
    out = [f'<?xml version="1.0"?>\n<d:multistatus {ns_decl}>']
    for href, found, missing in responses:
        out.append(f"<d:response><d:href>{escape(href)}</d:href>")
        if found:
            out.append("<d:propstat><d:prop>")
            for name, value in found.items():
                tag = _prefixed(name)
                rendered = _render_value(value)
                out.append(f"<{tag}>{rendered}</{tag}>" if rendered else f"<{tag}/>")
            out.append("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>")
        missing = list(missing)
        if missing:
            out.append("<d:propstat><d:prop>")
            out.extend(f"<{_prefixed(m)}/>" for m in missing)
            out.append("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>")
        out.append("</d:response>")
    if sync_token is not None:
        out.append(f"<d:sync-token>{escape(sync_token)}</d:sync-token>")
    out.append("</d:multistatus>")
    return "".join(out)


def multistatus_response(responses: Iterable[tuple[str, Mapping[str, Any], Iterable[str]]],
                         sync_token: str | None = None) -> Response:
    return Response(multistatus(responses, sync_token), status_code=207, headers=XML_HEADERS)


async def requested_props(request: Request) -> list[str] | None:
    """Clark names ('{DAV:}getetag') asked for by a PROPFIND body; None for allprop / empty body."""
    body = await request.body()
    if not body.strip():
        return None
    root = ET.fromstring(body)
    if root.find("{DAV:}allprop") is not None:
        return None
    prop = root.find("{DAV:}prop")
    if prop is None:
        return None
    return [child.tag for child in prop]


def depth(request: Request, default: str = "infinity") -> str:
    return request.headers.get("depth", default).strip().lower()
