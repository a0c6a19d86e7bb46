"""The user's side of the OAuth authorization code flow, for the official SDK's OAuthClientProvider:
a redirect handler that "is the browser" (follows the OIDC peer's redirects and submits its login and
consent forms over plain HTTP, keeping its cookies) and a callback handler that returns the code and
state the peer sent to the redirect URI. Works with SDK 1.x and 2.x (same handler shapes)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import httpx

REDIRECT_URI = "http://127.0.0.1:53682/callback"  # never contacted: the code is read from the redirect
FORM = re.compile(r'<form method="post" action="([^"]+)">')


class BrowserLogin:
    """`redirect_handler` / `callback_handler` pair logging `login` in and consenting."""

    def __init__(self, login: str, password: str | None = None, redirect_uri: str = REDIRECT_URI) -> None:
        self.login = login
        self.password = password if password is not None else f"{login}-password"
        self.redirect_uri = redirect_uri
        self.authorizations: list[str] = []  # every authorization URL the client opened
        self.pages: list[str] = []  # titles of the pages shown, in order
        self._result: tuple[str, str | None] | None = None
        self.iss: str | None = None

    async def redirect_handler(self, authorization_url: str) -> None:
        self.authorizations.append(authorization_url)
        self._result = None
        async with httpx.AsyncClient(follow_redirects=False, timeout=20) as browser:
            url, method, data = authorization_url, "GET", None
            for _ in range(20):
                r = await browser.request(method, url, data=data)
                if r.is_redirect:
                    target = urljoin(url, r.headers["location"])
                    if target.startswith(self.redirect_uri):
                        query = parse_qs(urlparse(target).query)
                        if "error" in query:
                            raise RuntimeError(f"authorization refused: {query}")
                        self._result = (query["code"][0], query.get("state", [None])[0])
                        self.iss = query.get("iss", [None])[0]  # RFC 9207, checked by SDK 2
                        return
                    url, method, data = target, "GET", None
                    continue
                if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
                    raise RuntimeError(f"unexpected answer at {url}: {r.status_code} {r.text[:300]}")
                title = re.search(r"<title>([^<]*)</title>", r.text)
                self.pages.append(title.group(1) if title else "?")
                forms = FORM.findall(r.text)
                if not forms:
                    raise RuntimeError(f"no form at {url}: {r.text[:300]}")
                if 'name="login"' in r.text:
                    if "Wrong login" in r.text:
                        raise RuntimeError("login refused")
                    data = {"login": self.login, "password": self.password}
                else:
                    data = {}
                url, method = urljoin(url, forms[0]), "POST"
        raise RuntimeError("too many steps in the login flow")

    async def callback_handler(self) -> tuple[str, str | None]:
        assert self._result is not None, "the redirect handler did not reach the redirect URI"
        return self._result


class MemoryTokenStorage:
    """TokenStorage in memory; `.tokens` is the current token set (for tests to look at)."""

    def __init__(self) -> None:
        self.tokens: Any = None
        self.client_info: Any = None

    async def get_tokens(self) -> Any:
        return self.tokens

    async def set_tokens(self, tokens: Any) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> Any:
        return self.client_info

    async def set_client_info(self, client_info: Any) -> None:
        self.client_info = client_info


def client_metadata_fields(redirect_uri: str = REDIRECT_URI) -> dict[str, Any]:
    """What an MCP client registers (dynamic client registration)."""
    return {
        "client_name": "nextcloud-mcp e2e OAuth client",
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_post",
    }


def validate_with(server, method: str = "jwt") -> None:
    """Restart `server` validating tokens by `method` (jwt or introspection: the token's expiry is
    known) for both of its resources (/mcp and /sse)."""
    server.stop()
    validation = server.config["auth"]["oauth"].setdefault("validation", {})
    validation["methods"] = [method]
    validation["audiences"] = [f"{server.url}/mcp", f"{server.url}/sse"]
    server.start()
