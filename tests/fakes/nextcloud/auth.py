"""Authentication like Nextcloud with user_oidc's `oidc_provider_bearer_validation` on.

* `Authorization: Bearer <token>` is accepted only if the OIDC provider's userinfo endpoint accepts
  the token; it is called on EVERY request (Nextcloud does not cache it either). uid = `sub`
  (mapped through login aliases).
* `Authorization: Basic` is accepted for configured login:app-password pairs (login may be an
  alias of the uid, e.g. an e-mail address).
* Anything else: 401, rendered per area (OCS envelope 997, Sabre NotAuthenticated, JSON).
"""

from __future__ import annotations

import base64
import binascii

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import dav, ocs
from .state import FakeState

SABRE_401_MESSAGE = (
    "No public access to this resource., Username or password was incorrect, No 'Authorization: Bearer' "
    "header found. Either the client didn't send one, or the server is mis-configured, Username or password "
    "was incorrect"
)


class NotAuthenticated(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CsrfCheckFailed(Exception):
    pass


def get_state(request: Request) -> FakeState:
    return request.app.state.fake


def _scope_cache(request: Request) -> dict:
    return request.scope.setdefault("fake_nextcloud", {})


async def _userinfo(request: Request, token: str) -> dict | None:
    state = get_state(request)
    client: httpx.AsyncClient = request.app.state.http
    discovery = await load_discovery(request)
    state.stats.userinfo_calls += 1
    try:
        r = await client.get(
            discovery["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {token}", "User-Agent": "fake-nextcloud/user_oidc"},
        )
    except httpx.HTTPError:
        return None
    if r.status_code != 200:
        return None
    return r.json()


async def load_discovery(request: Request) -> dict:
    state = get_state(request)
    if state.discovery is None:
        if not state.oidc_issuer:
            raise RuntimeError("fake Nextcloud started without --oidc-issuer: bearer tokens cannot be validated")
        r = await request.app.state.http.get(f"{state.oidc_issuer}/.well-known/openid-configuration")
        r.raise_for_status()
        state.discovery = r.json()
    return state.discovery


async def authenticate(request: Request) -> str | None:
    """The uid of the request's credentials, None when there are none; raises NotAuthenticated on bad ones."""
    cache = _scope_cache(request)
    if "uid" in cache:
        return cache["uid"]
    state = get_state(request)
    header = request.headers.get("authorization")
    uid: str | None = None
    if header is None:
        cache["uid"] = None
        return None
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        info = await _userinfo(request, credentials)
        if not info or not info.get("sub"):
            state.stats.auth["bearer_rejected"] += 1
            raise NotAuthenticated("bearer token rejected by the OIDC provider's userinfo endpoint")
        sub = str(info["sub"])
        uid = state.uid_for_login(sub) or sub
        state.stats.auth["bearer_ok"] += 1
    elif scheme.lower() == "basic" and credentials:
        try:
            login, _, password = base64.b64decode(credentials).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            state.stats.auth["basic_rejected"] += 1
            raise NotAuthenticated("malformed Basic credentials") from None
        uid = state.uid_for_login(login)
        if uid is None or not password or state.users[uid].app_password != password:
            state.stats.auth["basic_rejected"] += 1
            raise NotAuthenticated("Username or password was incorrect")
        state.stats.auth["basic_ok"] += 1
    else:
        state.stats.auth["unsupported_scheme"] += 1
        raise NotAuthenticated(f"unsupported Authorization scheme {scheme!r}")
    cache["uid"] = uid
    state.stats.users[uid] += 1
    state.stats.user_routes[uid][f"{request.method} {request.url.path}"] += 1
    return uid


async def current_user(request: Request) -> str:
    """The authenticated uid; raises NotAuthenticated (-> 401 in the area's format) when there is none."""
    uid = await authenticate(request)
    if uid is None:
        get_state(request).stats.auth["anonymous"] += 1
        raise NotAuthenticated("no credentials")
    return uid


def require_ocs_api_request(request: Request) -> None:
    """OCS routes need `OCS-APIRequest: true` (SecurityMiddleware CSRF check -> 412 "CSRF check failed").

    Stricter than Nextcloud, which also lets Bearer requests pass: the server must always send it.
    """
    if request.headers.get("ocs-apirequest", "").lower() != "true":
        raise CsrfCheckFailed()


def unauthenticated_response(request: Request, reason: str = "") -> Response:
    path = request.url.path
    if ocs.is_ocs(request):
        return ocs.ocs_response(request, [], status=ocs.RESPOND_UNAUTHORISED, message="Current user is not logged in")
    if path.startswith(("/remote.php/", "/public.php/")):
        return dav.sabre_error(
            401, "Sabre\\DAV\\Exception\\NotAuthenticated", SABRE_401_MESSAGE,
            headers={"WWW-Authenticate": 'Basic realm="Nextcloud", charset="UTF-8"'},
        )
    return JSONResponse({"message": "Current user is not logged in"}, status_code=401)


def csrf_failed_response(request: Request) -> Response:
    return JSONResponse({"message": "CSRF check failed"}, status_code=412)
