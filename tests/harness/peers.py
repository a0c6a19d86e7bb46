"""The session's peers: the OIDC provider (Node, oidc-provider) and the Nextcloud contract fake."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import httpx

from .processes import REPO, ManagedProcess

OIDC_DIR = REPO / "tests" / "peers" / "oidc"


def node_binary() -> str:
    local = OIDC_DIR / "node_modules" / ".bin" / "node"
    if local.exists():
        return str(local)
    found = shutil.which("node")
    if found is None:
        raise RuntimeError("node not found: run scripts/install-test-deps.sh")
    return found


class OidcPeer:
    """tests/peers/oidc/server.mjs: a real OpenID provider with test-only /__test/ controls."""

    def __init__(self, log_dir: Path, client_lifetime: int = 3600) -> None:
        if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
            raise RuntimeError("tests/peers/oidc/node_modules missing: run scripts/install-test-deps.sh")
        self.default_client_lifetime = client_lifetime
        self.process = ManagedProcess(
            "oidc-peer",
            [node_binary(), "server.mjs", "--port", "0", "--client-lifetime", str(client_lifetime)],
            log_dir / "oidc-peer.log", cwd=OIDC_DIR,
        )
        self.issuer = ""
        self.http = httpx.Client(timeout=10.0)

    def start(self) -> OidcPeer:
        self.issuer = self.process.start()
        return self

    def stop(self) -> None:
        self.http.close()
        self.process.stop()

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.http.post(f"{self.issuer}{path}", json=body or {})
        r.raise_for_status()
        return r.json()

    def mint(self, sub: str, scope: str | None = None, format: str = "opaque", ttl: int | None = None,
             aud: str | None = None, client_id: str | None = None) -> str:
        body: dict[str, Any] = {"sub": sub, "format": format}
        for key, value in (("scope", scope), ("ttl", ttl), ("aud", aud), ("client_id", client_id)):
            if value is not None:
                body[key] = value
        return self._post("/__test/mint", body)["access_token"]

    def revoke(self, token: str) -> bool:
        return self._post("/__test/revoke", {"token": token})["revoked"]

    def stats(self) -> dict[str, Any]:
        r = self.http.get(f"{self.issuer}/__test/stats")
        r.raise_for_status()
        return r.json()

    def reset_stats(self) -> None:
        self._post("/__test/reset-stats")

    def clients(self) -> list[dict[str, Any]]:
        r = self.http.get(f"{self.issuer}/__test/clients")
        r.raise_for_status()
        return r.json()["clients"]

    def delete_client(self, client_id: str) -> None:
        self._post(f"/__test/clients/{client_id}/delete")

    def expire_client(self, client_id: str) -> None:
        self._post(f"/__test/clients/{client_id}/expire")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """client_lifetime, userinfo_delay_ms, userinfo_status, userinfo_close, token_ttl."""
        return self._post("/__test/config", settings)

    def rotate_keys(self) -> list[str]:
        return self._post("/__test/rotate-keys")["kids"]

    def reset(self) -> None:
        """Startup settings, zero stats, and no dynamically registered client left from earlier tests."""
        self._post("/__test/reset")


class NextcloudFake:
    """python -m tests.fakes.nextcloud: the Nextcloud contract fake."""

    def __init__(self, log_dir: Path, oidc_issuer: str, users: str | None = None, apps: str | None = None,
                 latency_ms: int = 0) -> None:
        argv = [sys.executable, "-m", "tests.fakes.nextcloud", "--port", "0", "--oidc-issuer", oidc_issuer]
        if users is not None:
            argv += ["--users", users]
        if apps is not None:
            argv += ["--apps", apps]
        if latency_ms:
            argv += ["--latency-ms", str(latency_ms)]
        self.process = ManagedProcess("nextcloud-fake", argv, log_dir / "nextcloud-fake.log", cwd=REPO)
        self.url = ""
        self.http = httpx.Client(timeout=10.0)

    def start(self) -> NextcloudFake:
        self.url = self.process.start()
        return self

    def stop(self) -> None:
        self.http.close()
        self.process.stop()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.http.post(f"{self.url}/__fake/{path}", json=body or {})
        r.raise_for_status()
        return r.json()

    def stats(self) -> dict[str, Any]:
        r = self.http.get(f"{self.url}/__fake/stats")
        r.raise_for_status()
        return r.json()

    def reset(self) -> None:
        self._post("reset")

    def reset_stats(self) -> None:
        self._post("reset-stats")

    def fault(self, status: int = 503, share: float = 1.0, delay_ms: int = 0, routes: list[str] | None = None,
              retry_after: int | None = None) -> None:
        body: dict[str, Any] = {"status": status, "share": share, "delay_ms": delay_ms}
        if routes is not None:
            body["routes"] = routes
        if retry_after is not None:
            body["retry_after"] = retry_after
        self._post("fault", body)

    def clear_fault(self) -> None:
        self._post("fault", {"clear": True})

    def down(self, mode: str = "maintenance") -> None:
        self._post("down", {"mode": mode})

    def up(self) -> None:
        self._post("up")

    def set_apps(self, enabled: list[str]) -> None:
        self._post("apps", {"enabled": enabled})

    def add_user(self, uid: str, app_password: str = "", logins: list[str] | None = None) -> None:
        self._post("users", {"uid": uid, "app_password": app_password, "logins": logins or []})

    def respond(self, path: str, body: str = "", status: int = 200, method: str = "*", **kw: Any) -> None:
        """Matching requests get exactly this answer (see the fake's README, `/__fake/respond`)."""
        self._post("respond", {"path": path, "body": body, "status": status, "method": method, **kw})

    def clear_responses(self) -> None:
        r = self.http.delete(f"{self.url}/__fake/respond")
        r.raise_for_status()

    def set_latency(self, latency_ms: int) -> None:
        self._post("latency", {"latency_ms": latency_ms})

    @property
    def discovery_no_s256_url(self) -> str:
        return f"{self.url}/__fake/discovery/no-s256"
