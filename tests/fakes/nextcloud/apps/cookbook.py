"""Cookbook contract fake (nextcloud/cookbook 0.11.x, API v1), from ../shared/nextcloud-api/cookbook/ (samples DERIVED from the app's
controllers/services @24348cdf; the recipe body and the category list VERBATIM from its docs).

Faithful to what bites clients:
- Bare JSON answers: stubs arrays, recipe objects, a BARE INTEGER id on create/update (200, not 201), bare strings on delete, config,
  reindex. Errors: 409/422 {"msg","file","line"}; 400/500/502 a bare JSON string; recipe 404 = the bare id.
- PUT /recipes/{id} IGNORES the path id: the body's "id" decides, and a body without "id" CREATES a new recipe (409 if the name exists).
  Full replace (omitted keys are dropped).
- DELETE of an unknown id answers 200 "Recipe N deleted successfully" (no exception path in the app).
- Search: tokens split on spaces and commas, OR of substring matches over name, keywords, category only (not ingredients).
- /categories lists "*" for uncategorised recipes; /category/_ lists them. /tags/{a,b}: AND over exact keywords.
- Import: the server fetches; IP literals/localhost -> 400 "The provided URL is not allowed."; a name resolving to a private address
  -> 400 "... URL resolves to a local/internal address"; unknown pages -> 400 download failure text; name exists -> 409 {msg}.
- Presence: capability `cookbook` (0.11.5+) unless POST /__fake/cookbook {"old": true} (older Cookbook: no capability, version route only).
Recipes are kept in memory (not as recipe.json folders in the files fake).
Control: POST /__fake/cookbook {"old": bool, "files_for": uid} (the latter writes the recipes as folders into uid's files,
each folder's file id being the recipe id, as Cookbook keeps them); GET /__fake/cookbook/state (recipes, config, requests).
"""

from __future__ import annotations

import copy
import json
import ipaddress
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import app_route, get_state
from ..state import FakeState
from .files import Node

APP = "cookbook"
BASE = "/apps/cookbook/api/v1"
VERSION = [0, 11, 10, "-alpha1"]
API_VERSION = {"epoch": 0, "major": 1, "minor": 2}

APPLE_BUTTER = {
    "name": "Homemade Apple Butter", "@type": "Recipe",
    "author": {"@type": "Person", "name": "Julie Clark"},
    "description": "A simple recipe for Homemade Apple Butter that you can make in the slow cooker.",
    "image": "https://www.tastesoflizzyt.com/wp-content/uploads/2016/08/homemade-apple-butter-2-480x270.jpg",
    "recipeYield": 20, "prepTime": "PT0H25M", "cookTime": "PT10H0M", "totalTime": "PT10H25M",
    "recipeIngredient": ["6 1/2 pounds apples (peeled, cored and sliced)", "1/2 cup granulated sugar",
                         "1/2 cup packed brown sugar", "1 1/2 tablespoons ground cinnamon", "1/4 teaspoon salt",
                         "1 tablespoon vanilla extract"],
    "recipeInstructions": ["Place the apples in a slow cooker.", "Add the sugars, cinnamon, salt and vanilla. Mix well.",
                           "Cook on low for about 10 hours."],
    "recipeCategory": "Breakfast", "keywords": "apple butter recipes,apple recipes,fall recipes",
    "nutrition": {"@type": "NutritionInformation", "calories": "120 kcal"}, "tool": [],
    "url": "https://www.tastesoflizzyt.com/homemade-apple-butter/",
}
BANANAS = {
    "name": "Baked bananas", "@type": "Recipe", "description": "Warm and sweet.", "image": "", "recipeYield": 4,
    "prepTime": "PT0H5M", "cookTime": "PT0H15M", "totalTime": None,
    "recipeIngredient": ["4 bananas", "2 tbsp butter", "1 tsp cinnamon", "2 eggs"],
    "recipeInstructions": ["Slice.", "Bake."], "recipeCategory": "Dessert",
    "keywords": "banana,cinnamon,sweet,untested recipe", "nutrition": {"@type": "NutritionInformation"}, "tool": [], "url": "",
}
PANCAKES = {
    "name": "Pancakes", "@type": "Recipe", "description": "", "image": "", "recipeYield": None, "prepTime": None,
    "cookTime": None, "totalTime": None, "recipeIngredient": ["200 g flour", "2 eggs", "300 ml milk", "salt"],
    "recipeInstructions": ["Mix.", "Fry."], "recipeCategory": "", "keywords": "sweet",
    "nutrition": {"@type": "NutritionInformation"}, "tool": [], "url": "",
}
IMPORTABLE = {"https://recipes.example.org/apple-butter": APPLE_BUTTER,
              "https://recipes.example.org/chips": {**PANCAKES, "name": "Oven chips", "keywords": "kids,quick"}}
PRIVATE_NAMES = {"intranet.example.com"}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _db(request: Request) -> dict[str, Any]:
    return get_state(request).data["cookbook"]


def _store(db: dict, recipe: dict, rid: int | None = None) -> int:
    if rid is None:
        rid = db["next_id"]
    db["next_id"] = max(db["next_id"], rid + 1)
    now = _now()
    row = copy.deepcopy(recipe)
    row["id"] = str(rid)
    row.setdefault("dateCreated", now)
    row["dateModified"] = now
    if isinstance(row.get("keywords"), list):
        row["keywords"] = ",".join(row["keywords"])
    db["recipes"][rid] = row
    return rid


def reset(state: FakeState) -> None:
    db: dict[str, Any] = {"recipes": {}, "next_id": 2000, "old": False, "requests": [],
                          "config": {"folder": "/Recipes", "update_interval": 5, "print_image": True,
                                     "visibleInfoBlocks": {"preparation-time": True, "cooking-time": True}}}
    state.data["cookbook"] = db
    _store(db, APPLE_BUTTER, 267)
    _store(db, BANANAS, 123)
    _store(db, PANCAKES, 300)


def capabilities(state: FakeState) -> dict:
    if state.data.get("cookbook", {}).get("old"):
        return {}  # Cookbook < 0.11.5 publishes no capability
    return {"cookbook": {"api-version": API_VERSION, "version": VERSION}}


def _error(status: int, msg: str) -> Response:
    return JSONResponse({"msg": msg, "file": "/var/www/html/custom_apps/cookbook/lib/Service/RecipeService.php", "line": 252},
                        status_code=status)


def _string(status: int, text: str) -> Response:
    return JSONResponse(text, status_code=status)


def _stub(row: dict) -> dict:
    rid = int(row["id"])
    return {"recipe_id": rid, "id": row["id"], "name": row["name"], "keywords": row.get("keywords") or "",
            "category": row.get("recipeCategory") or "", "dateCreated": row["dateCreated"],
            "dateModified": row["dateModified"],
            "imageUrl": f"/index.php/apps/cookbook/webapp/recipes/{rid}/image?size=thumb",
            "imagePlaceholderUrl": f"/index.php/apps/cookbook/webapp/recipes/{rid}/image?size=thumb16"}


def _stubs(rows) -> Response:
    return JSONResponse([_stub(r) for r in sorted(rows, key=lambda r: r["name"].lower())])


def _keywords(row: dict) -> list[str]:
    return [k.strip() for k in (row.get("keywords") or "").split(",") if k.strip()]


def _name_taken(db: dict, name: str, except_id: int | None = None) -> bool:
    return any(r["name"].lower() == name.lower() and int(r["id"]) != except_id for r in db["recipes"].values())


def _add(db: dict, body: dict) -> Response | int:
    if not body.get("name"):
        return _error(422, "No recipe name was given. A unique name is required to store the recipe.")
    rid = int(body["id"]) if str(body.get("id", "")).isdigit() else None
    if rid is not None and rid not in db["recipes"]:
        rid = None
    if _name_taken(db, body["name"], rid):
        return _error(409, "Another recipe with that name already exists")
    created = db["recipes"].get(rid, {}).get("dateCreated") if rid else None
    clean = {k: v for k, v in body.items() if k not in ("id", "dateCreated", "dateModified", "printImage", "imageUrl")}
    if created:
        clean["dateCreated"] = created
    return _store(db, clean, rid)


async def version(request: Request) -> Response:
    return JSONResponse({"cookbook_version": VERSION, "api_version": API_VERSION})


async def recipes(request: Request) -> Response:
    db = _db(request)
    if request.method == "POST":
        body = await request.json()
        db["requests"].append({"method": "POST", "body": body})
        out = _add(db, body)
        return out if isinstance(out, Response) else JSONResponse(out)
    return _stubs(db["recipes"].values())


async def recipe(request: Request) -> Response:
    db = _db(request)
    rid = int(request.path_params["id"])
    if request.method == "GET":
        row = db["recipes"].get(rid)
        if row is None:
            return JSONResponse(rid, status_code=404)
        return JSONResponse({**row, "printImage": db["config"]["print_image"],
                             "imageUrl": f"/index.php/apps/cookbook/webapp/recipes/{rid}/image?size=full"})
    if request.method == "PUT":
        body = await request.json()
        db["requests"].append({"method": "PUT", "path_id": rid, "body": body})
        out = _add(db, body)  # the path id is never used
        return out if isinstance(out, Response) else JSONResponse(out)
    db["requests"].append({"method": "DELETE", "path_id": rid})
    db["recipes"].pop(rid, None)
    return _string(200, f"Recipe {rid} deleted successfully")


async def search(request: Request) -> Response:
    tokens = [t for t in request.path_params["query"].lower().replace(",", " ").split() if t]
    rows = _db(request)["recipes"].values()
    if not tokens:
        return _stubs(rows)

    def hit(r: dict) -> bool:
        fields = [r["name"].lower(), (r.get("recipeCategory") or "").lower()] + [k.lower() for k in _keywords(r)]
        return any(t in f for t in tokens for f in fields)
    return _stubs([r for r in rows if hit(r)])


async def categories(request: Request) -> Response:
    counts: dict[str, int] = {}
    for r in _db(request)["recipes"].values():
        c = r.get("recipeCategory") or "*"
        counts[c] = counts.get(c, 0) + 1
    return JSONResponse([{"name": k, "recipe_count": v} for k, v in sorted(counts.items(), key=lambda x: (x[0] == "*", x[0]))])


async def category(request: Request) -> Response:
    name = request.path_params["name"]
    rows = [r for r in _db(request)["recipes"].values()
            if (r.get("recipeCategory") or "") == ("" if name == "_" else name)]
    return _stubs(rows)


async def keywords(request: Request) -> Response:
    counts: dict[str, int] = {}
    for r in _db(request)["recipes"].values():
        for k in _keywords(r):
            counts[k] = counts.get(k, 0) + 1
    return JSONResponse([{"name": k, "recipe_count": v} for k, v in sorted(counts.items())])


async def tags(request: Request) -> Response:
    wanted = {k for k in request.path_params["csv"].split(",") if k}
    rows = [r for r in _db(request)["recipes"].values()
            if wanted <= set(_keywords(r)) and r.get("recipeCategory")]  # INNER JOIN on categories
    return _stubs(rows)


async def config(request: Request) -> Response:
    db = _db(request)
    if request.method == "POST":
        body = await request.json()
        db["requests"].append({"method": "POST config", "body": body})
        for key in ("folder", "update_interval", "print_image", "visibleInfoBlocks"):
            if key in body:
                db["config"][key] = body[key]
        return _string(200, "OK")
    return JSONResponse(db["config"])


async def reindex(request: Request) -> Response:
    return _string(200, "Search index rebuilt successfully")


async def import_recipe(request: Request) -> Response:
    db = _db(request)
    body = await request.json()
    db["requests"].append({"method": "POST import", "body": body})
    url = body.get("url")
    if not url:
        return _string(400, 'Field "url" is required')
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
        literal = True
    except ValueError:
        literal = False
    if parts.scheme not in ("http", "https") or literal or host == "localhost":
        return _string(400, "The provided URL is not allowed.")
    if host in PRIVATE_NAMES:
        return _string(400, f"Exception while downloading recipe from {url}.: URL resolves to a local/internal address")
    found = IMPORTABLE.get(url)
    if found is None:
        return _string(400, f"Download from {url} failed as HTTP status code 404 is not in expected range.")
    out = _add(db, dict(found))
    if isinstance(out, Response):
        return out
    row = db["recipes"][out]
    return JSONResponse(row)


def _mirror_into_files(request: Request, uid: str) -> str | None:
    """Cookbook keeps each recipe as a folder `<folder>/<name>` (its file id is the recipe id) with `recipe.json`:
    writes the current recipes so into `uid`'s files, for tests of what lies in those folders."""
    st = get_state(request).data["files"]
    tree = st.tree(uid)
    st.next_id = max(st.next_id, max(_db(request)["recipes"], default=0) + 1)
    base = _db(request)["config"]["folder"].strip("/")
    for rid, row in _db(request)["recipes"].items():
        folder = f"{base}/{row['name']}"
        clash = next((p for p, n in tree.items() if n.fileid == rid and p != folder), None)
        if clash is not None:
            return f"file id {rid} is already {clash}"
        for i, part in enumerate(parts := folder.split("/")):
            path = "/".join(parts[:i + 1])
            if path not in tree:
                tree[path] = Node(is_dir=True, fileid=rid if path == folder else st.new_id())
                tree[path].touch(st.tick())
        if f"{folder}/recipe.json" not in tree:
            node = Node(is_dir=False, fileid=st.new_id(), content=json.dumps(row).encode(),
                        content_type="application/json")
            node.touch(st.tick())
            tree[f"{folder}/recipe.json"] = node
    return None


async def control(request: Request) -> Response:
    db = _db(request)
    if request.method == "POST":
        body = await request.json()
        db["old"] = bool(body.get("old"))
        if body.get("files_for"):
            clash = _mirror_into_files(request, body["files_for"])
            if clash:
                return JSONResponse({"error": clash}, status_code=409)
    return JSONResponse({"recipes": {str(k): v for k, v in db["recipes"].items()}, "config": db["config"],
                         "requests": db["requests"], "old": db["old"]})


def routes(state: FakeState) -> list:
    return [
        app_route("/apps/cookbook/api/version", version),
        app_route(f"{BASE}/recipes", recipes, methods=["GET", "POST"]),
        app_route(f"{BASE}/recipes/{{id:int}}", recipe, methods=["GET", "PUT", "DELETE"]),
        app_route(f"{BASE}/search/{{query:path}}", search),
        app_route(f"{BASE}/categories", categories),
        app_route(f"{BASE}/category/{{name:path}}", category),
        app_route(f"{BASE}/keywords", keywords),
        app_route(f"{BASE}/tags/{{csv:path}}", tags),
        app_route(f"{BASE}/config", config, methods=["GET", "POST"]),
        app_route(f"{BASE}/reindex", reindex, methods=["POST"]),
        app_route(f"{BASE}/import", import_recipe, methods=["POST"]),
        Route("/__fake/cookbook", control, methods=["GET", "POST"]),
        Route("/__fake/cookbook/state", control, methods=["GET"]),
    ]
