"""Unified search (core, OCS): `GET /ocs/v2.php/search/providers` and
`GET /ocs/v2.php/search/providers/{providerId}/search?term=&limit=&cursor=`.

Derived samples (not verbatim), from nextcloud/server core/Controller/UnifiedSearchController.php,
lib/public/Search/SearchResult.php, SearchResultEntry.php and apps/files/lib/Search/FilesSearchProvider.php:
- providers: a list of `{id, appId, name, icon, order, triggers, filters, inAppSearch}`, which
  depends on the enabled apps (here: `files` and `settings` always, `notes` when the Notes app is on);
- a search answers `{name, isPaginated, entries, cursor}`; each entry is
  `{thumbnailUrl, title, subline, resourceUrl, icon, rounded, attributes}`, `attributes` being `[]`
  (an empty PHP array) unless the provider adds some (files: `fileId` as a string, `path` relative to
  the user's folder with a leading `/`);
- files: name contains the term (case-insensitive), newest first, `cursor` is an offset and the
  next cursor is `cursor + limit` (always paginated); subline "in <folder>" or "" in the root;
  resourceUrl `<base>/index.php/f/<fileid>`;
- a blank term is HTTP 400 with `data: null`; an unknown provider id is an error (500).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..auth import current_user, get_state
from ..ocs import ocs_response
from ..routing import ocs_route

LIMIT_DEFAULT = 5  # OC\Search\SearchQuery::LIMIT_DEFAULT

SETTINGS_SECTIONS = [
    ("Personal info", "/index.php/settings/user"),
    ("Security", "/index.php/settings/user/security"),
    ("Sharing", "/index.php/settings/user/sharing"),
]


def providers_for(request: Request) -> list[dict]:
    state = get_state(request)
    out = [
        {"id": "files", "appId": "files", "name": "Files", "icon": "/apps/files/img/app.svg", "order": 5,
         "triggers": ["files"], "filters": {"term": "string", "since": "datetime", "until": "datetime",
                                            "mime": "string", "path": "string"}, "inAppSearch": False},
        {"id": "settings", "appId": "settings", "name": "Settings", "icon": "/core/img/actions/settings-dark.svg",
         "order": 20, "triggers": ["settings"], "filters": {"term": "string"}, "inAppSearch": False},
    ]
    if "notes" in state.apps:
        out.append({"id": "notes", "appId": "notes", "name": "Notes", "icon": "/apps/notes/img/notes-dark.svg",
                    "order": 10, "triggers": ["notes"], "filters": {"term": "string"}, "inAppSearch": False})
    return out


async def providers(request: Request) -> Response:
    await current_user(request)
    return ocs_response(request, providers_for(request))


def entry(title: str, subline: str, url: str, icon: str = "", attributes: dict | None = None) -> dict:
    return {"thumbnailUrl": "", "title": title, "subline": subline, "resourceUrl": url, "icon": icon,
            "rounded": False, "attributes": attributes or []}


def base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def files_entries(request: Request, uid: str, term: str) -> list[dict]:
    tree = get_state(request).data["files"].tree(uid)
    hits = [(path, node) for path, node in tree.items() if path and term in path.rsplit("/", 1)[-1].lower()]
    hits.sort(key=lambda pn: (-pn[1].mtime, pn[0]))
    out = []
    for path, node in hits:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        out.append(entry(path.rsplit("/", 1)[-1], f"in {folder}" if folder else "",
                         f"{base(request)}/index.php/f/{node.fileid}",
                         "icon-folder" if node.is_dir else "icon-file",
                         {"fileId": str(node.fileid), "path": "/" + path}))
    return out


def notes_entries(request: Request, uid: str, term: str) -> list[dict]:
    notes = get_state(request).data["notes"]["notes"].get(uid, {})
    values = notes.values() if isinstance(notes, dict) else notes
    out = []
    for note in values:
        if term in note["title"].lower() or term in note["content"].lower():
            out.append(entry(note["title"], note.get("category") or "",
                             f"{base(request)}/index.php/apps/notes/note/{note['id']}", "icon-notes"))
    return out


async def search(request: Request) -> Response:
    uid = await current_user(request)
    provider = request.path_params["provider"]
    term = request.query_params.get("term", "")
    if not term.strip():
        return ocs_response(request, None, status=400)
    known = {p["id"] for p in providers_for(request)}
    if provider not in known:
        return Response(f"Provider {provider} is unknown", status_code=500)
    limit = int(request.query_params.get("limit") or LIMIT_DEFAULT)
    needle = term.strip().lower()
    if provider == "files":
        cursor = int(request.query_params.get("cursor") or 0)
        entries = files_entries(request, uid, needle)[cursor:cursor + limit]
        return ocs_response(request, {"name": "Files", "isPaginated": True, "entries": entries,
                                      "cursor": cursor + limit})
    if provider == "notes":
        entries = notes_entries(request, uid, needle)[:limit]
        return ocs_response(request, {"name": "Notes", "isPaginated": False, "entries": entries, "cursor": None})
    entries = [entry(title, "Settings", base(request) + url, "icon-settings-dark")
               for title, url in SETTINGS_SECTIONS if needle in title.lower()][:limit]
    return ocs_response(request, {"name": "Settings", "isPaginated": False, "entries": entries, "cursor": None})


def routes(state):
    return [
        *ocs_route("/search/providers", providers),
        *ocs_route("/search/providers/{provider}/search", search),
    ]
