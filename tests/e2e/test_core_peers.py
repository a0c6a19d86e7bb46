"""Service core (issue 2): the peers every e2e suite relies on.

* A real OpenID provider (npm `oidc-provider`): discovery, dynamic registration with an expiring
  secret, PKCE S256 only, userinfo, introspection, revocation, JWT and opaque access tokens, JWKS;
  tokens minted without a browser.
* The Nextcloud contract fake: accepts a bearer token only if the provider's userinfo accepts it
  (asked on every request, as user_oidc does), Nextcloud's OCS/DAV rules, and counts its calls.
These run without the server binary.
"""

from __future__ import annotations

import base64
import json
import time
import xml.etree.ElementTree as ET

import httpx
import pytest

pytestmark = pytest.mark.e2e

OCS = {"OCS-APIRequest": "true"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(login: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def jwt_payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# ------------------------------------------------------------------------------- OIDC provider
def test_provider_discovery_advertises_what_the_server_needs(oidc_peer, http):
    doc = http.get(oidc_peer.discovery_url).json()
    assert doc["issuer"] == oidc_peer.issuer
    assert doc["code_challenge_methods_supported"] == ["S256"]
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                "registration_endpoint", "introspection_endpoint", "revocation_endpoint"):
        assert doc[key].startswith(f"{oidc_peer.issuer}/index.php/apps/oidc/"), (key, doc[key])
    keys = http.get(doc["jwks_uri"]).json()["keys"]
    assert keys and all("d" not in k for k in keys), "JWKS must hold public keys only"


def test_provider_dynamic_registration_expires_like_nextcloud(oidc_peer, http):
    doc = http.get(oidc_peer.discovery_url).json()
    oidc_peer.configure(client_lifetime=120)
    r = http.post(doc["registration_endpoint"], json={
        "client_name": "e2e", "redirect_uris": ["http://127.0.0.1:9/cb"], "token_endpoint_auth_method": "client_secret_post",
    })
    assert r.status_code == 201, r.text
    client = r.json()
    assert client["client_secret"]
    assert client["client_secret_expires_at"] == client["client_id_issued_at"] + 120
    assert oidc_peer.stats()["registrations"] == 1
    # RFC 7592 read with the registration access token, until Nextcloud deletes the client.
    read = http.get(client["registration_client_uri"], headers=bearer(client["registration_access_token"]))
    assert read.status_code == 200, read.text
    oidc_peer.delete_client(client["client_id"])
    read = http.get(client["registration_client_uri"], headers=bearer(client["registration_access_token"]))
    assert read.status_code in (400, 401, 403), read.text


@pytest.mark.parametrize("fmt", ["opaque", "jwt"])
def test_minted_tokens_validate_at_userinfo_until_revoked(oidc_peer, http, fmt):
    doc = http.get(oidc_peer.discovery_url).json()
    token = oidc_peer.mint("dave", format=fmt)
    if fmt == "jwt":
        claims = jwt_payload(token)
        assert claims["iss"] == oidc_peer.issuer and claims["sub"] == "dave" and claims["aud"]
        assert claims["exp"] > time.time()
    else:
        assert token.count(".") == 0
    r = http.get(doc["userinfo_endpoint"], headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json() == {"sub": "dave", "preferred_username": "dave", "name": "Dave Example",
                        "email": "dave@example.com", "email_verified": True}
    assert oidc_peer.revoke(token)
    r = http.get(doc["userinfo_endpoint"], headers=bearer(token))
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_request", "error_description": "Could not find provided bearer token."}


def test_provider_introspection_and_expired_tokens(oidc_peer, http):
    doc = http.get(oidc_peer.discovery_url).json()
    client = http.post(doc["registration_endpoint"], json={
        "redirect_uris": ["http://127.0.0.1:9/cb"], "token_endpoint_auth_method": "client_secret_post"}).json()
    creds = {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    token = oidc_peer.mint("erin")
    r = http.post(doc["introspection_endpoint"], data={"token": token, **creds})
    body = r.json()
    assert body["active"] is True and body["sub"] == "erin", body
    assert http.post(doc["introspection_endpoint"], data={"token": "nope", **creds}).json() == {"active": False}
    assert oidc_peer.stats()["introspection"] == 2

    short = oidc_peer.mint("erin", ttl=1)
    time.sleep(2.1)
    r = http.get(doc["userinfo_endpoint"], headers=bearer(short))
    assert r.status_code == 400 and r.json()["error"] in ("invalid_grant", "invalid_request"), r.text


# ------------------------------------------------------------------------------- Nextcloud fake
def test_fake_accepts_a_bearer_token_only_if_userinfo_does_and_asks_every_time(oidc_peer, nextcloud, http):
    token = oidc_peer.mint("alice")
    url = f"{nextcloud.url}/ocs/v2.php/cloud/user?format=json"
    for _ in range(3):
        r = http.get(url, headers={**bearer(token), **OCS})
        assert r.status_code == 200, r.text
        assert r.json()["ocs"]["data"]["id"] == "alice"
    assert oidc_peer.stats()["userinfo_from_nextcloud"] == 3  # no caching, like user_oidc

    oidc_peer.revoke(token)
    r = http.get(url, headers={**bearer(token), **OCS})
    assert r.status_code == 401
    assert r.json() == {"ocs": {"meta": {"status": "failure", "statuscode": 997,
                                         "message": "Current user is not logged in"}, "data": []}}
    stats = nextcloud.stats()
    assert stats["routes"] == {"GET /ocs/v2.php/cloud/user": 4}
    assert stats["users"] == {"alice": 3}
    assert stats["auth"] == {"bearer_ok": 3, "bearer_rejected": 1}


def test_fake_ocs_v1_v2_envelopes_formats_and_csrf(nextcloud, http):
    auth = basic("bob", "bob-app-password")
    v2 = http.get(f"{nextcloud.url}/ocs/v2.php/cloud/capabilities", headers={**auth, **OCS,
                                                                            "Accept": "application/json"})
    assert v2.status_code == 200
    assert v2.json()["ocs"]["meta"] == {"status": "ok", "statuscode": 200, "message": "OK"}
    v1 = http.get(f"{nextcloud.url}/ocs/v1.php/cloud/capabilities?format=json", headers={**auth, **OCS})
    assert v1.json()["ocs"]["meta"] == {"status": "ok", "statuscode": 100, "message": "OK",
                                        "totalitems": "", "itemsperpage": ""}
    assert v1.json()["ocs"]["data"] == v2.json()["ocs"]["data"]
    xml = http.get(f"{nextcloud.url}/ocs/v2.php/cloud/capabilities", headers={**auth, **OCS})
    assert xml.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(xml.text)
    assert root.findtext("meta/statuscode") == "200"
    assert root.findtext("data/capabilities/core/webdav-root") == "remote.php/webdav"

    no_header = http.get(f"{nextcloud.url}/ocs/v2.php/cloud/capabilities?format=json", headers=auth)
    assert no_header.status_code == 412 and no_header.json() == {"message": "CSRF check failed"}

    # v1: unauthorised is the one failure with HTTP 401.
    bad = http.get(f"{nextcloud.url}/ocs/v1.php/cloud/user?format=json", headers={**basic("bob", "x"), **OCS})
    assert bad.status_code == 401 and bad.json()["ocs"]["meta"]["statuscode"] == 997

    nextcloud.set_apps(["deck"])
    caps = http.get(f"{nextcloud.url}/ocs/v2.php/cloud/capabilities?format=json",
                    headers={**auth, **OCS}).json()["ocs"]["data"]["capabilities"]
    assert "deck" in caps and "notes" not in caps


def test_fake_dav_principal_uses_the_uid_not_the_login(nextcloud, http):
    body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/>'
            "</d:prop></d:propfind>")
    r = http.request("PROPFIND", f"{nextcloud.url}/remote.php/dav/", content=body,
                     headers={**basic("alice@example.com", "alice-app-password"), "Depth": "0"})
    assert r.status_code == 207, r.text
    href = ET.fromstring(r.text).find(".//{DAV:}current-user-principal/{DAV:}href")
    assert href is not None and href.text == "/remote.php/dav/principals/users/alice/"

    r = http.request("PROPFIND", f"{nextcloud.url}/remote.php/dav/", content=body)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Basic realm="Nextcloud", charset="UTF-8"'
    assert "Sabre\\DAV\\Exception\\NotAuthenticated" in r.text


def test_fake_faults_and_maintenance(nextcloud, http):
    auth = {**basic("bob", "bob-app-password"), **OCS}
    url = f"{nextcloud.url}/ocs/v2.php/cloud/user?format=json"
    nextcloud.fault(status=503, share=0.5)
    assert [http.get(url, headers=auth).status_code for _ in range(4)] == [200, 503, 200, 503]
    nextcloud.clear_fault()

    nextcloud.down()
    r = http.get(url, headers=auth)
    assert r.status_code == 503 and r.headers["retry-after"] == "120"
    assert http.get(f"{nextcloud.url}/status.php").json()["maintenance"] is True
    nextcloud.up()
    assert http.get(url, headers=auth).status_code == 200

    nextcloud.down("close")  # connections dropped mid-response
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(url, headers=auth)
    nextcloud.up()

    nextcloud.fault(status=0, delay_ms=1500, routes=["/ocs/"])
    with pytest.raises(httpx.ReadTimeout):
        http.get(url, headers=auth, timeout=0.5)


def test_provider_key_rotation_keeps_issued_tokens_valid(oidc_peer, http):
    doc = http.get(oidc_peer.discovery_url).json()
    old = oidc_peer.mint("frank", format="jwt")
    old_kid = json.loads(base64.urlsafe_b64decode(old.split(".")[0] + "==")).get("kid")
    kids = oidc_peer.rotate_keys()
    assert len(kids) == 2 and kids[1] == old_kid
    assert [k["kid"] for k in http.get(doc["jwks_uri"]).json()["keys"]] == kids
    new = oidc_peer.mint("frank", format="jwt")
    assert json.loads(base64.urlsafe_b64decode(new.split(".")[0] + "==")).get("kid") == kids[0]
    for token in (old, new):
        assert http.get(doc["userinfo_endpoint"], headers=bearer(token)).status_code == 200
