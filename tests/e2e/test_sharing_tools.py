"""Sharing toolset (issue 3) against the OCS files_sharing contract fake: every tool's success path and a
failure path, as an OAuth user and in basic mode; share type / recipient validation before the call, public
link expiry rounded to Nextcloud's day granularity and reported exactly as stored."""

from __future__ import annotations

import datetime

import pytest

from tests.e2e.toolkit import fails, ok, session_as

pytestmark = pytest.mark.e2e

SHARING_TOOLS = {"nc_share_create", "nc_share_create_public_link", "nc_share_delete", "nc_share_get",
                 "nc_share_list", "nc_share_update"}


@pytest.mark.parametrize("mode", ["oauth", "basic"])
async def test_sharing_tools(mode, mcp_server, mint_token, nextcloud):
    async with session_as(mode, mcp_server, mint_token) as s:
        assert SHARING_TOOLS <= {t.name for t in (await s.list_tools()).tools}
        await ok(s, "nc_webdav_create_directory", {"path": "Team"})
        await ok(s, "nc_webdav_write_file", {"path": "Team/plan.md", "content": "plan"})

        user_share = await ok(s, "nc_share_create", {"path": "Team/plan.md", "share_with": "bob", "permissions": 3})
        assert user_share["share_type"] == 0 and user_share["share_with"] == "bob" and user_share["permissions"] == 3
        assert user_share["path"] == "/Team/plan.md" and isinstance(user_share["id"], int)
        group = await ok(s, "nc_share_create", {"path": "Team", "share_with": "staff", "share_type": 1, "permissions": 31})
        assert group["item_type"] == "folder"
        link = await ok(s, "nc_share_create", {"path": "Team/plan.md", "share_type": 3})
        assert link["url"].startswith("https://") and link["share_with"] is None

        # Pairs refused before any request reaches Nextcloud.
        before = nextcloud.stats()["total"]
        await fails(s, "nc_share_create", {"path": "Team", "share_type": 3, "share_with": "bob"}, "public link")
        await fails(s, "nc_share_create", {"path": "Team", "share_type": 0}, "needs a recipient")
        await fails(s, "nc_share_create", {"path": "Team", "share_type": 4, "share_with": "bob"}, "email")
        await fails(s, "nc_share_create", {"path": "Team", "share_type": 6, "share_with": "bob"}, "federated")
        await fails(s, "nc_share_create", {"path": "Team", "share_type": 2, "share_with": "bob"}, "unknown share type")
        await fails(s, "nc_share_create", {"path": "Team", "share_with": "bob", "permissions": 64}, "permissions")
        assert nextcloud.stats()["total"] == before
        # ...and Nextcloud's own refusals come back clearly.
        await fails(s, "nc_share_create", {"path": "Team", "share_with": "nobody"}, "valid user")
        await fails(s, "nc_share_create", {"path": "Missing.md", "share_with": "bob"}, "does not exist")

        got = await ok(s, "nc_share_get", {"share_id": user_share["id"]})
        assert got == user_share
        await fails(s, "nc_share_get", {"share_id": 99999}, "404")

        mine = await ok(s, "nc_share_list", {})
        assert mine["total"] == 3
        of_plan = await ok(s, "nc_share_list", {"path": "Team/plan.md"})
        assert {x["id"] for x in of_plan["shares"]} == {user_share["id"], link["id"]}
        await fails(s, "nc_share_list", {"path": "Nope"}, "does not exist")
        assert (await ok(s, "nc_share_list", {"shared_with_me": True}))["total"] == 0

        updated = await ok(s, "nc_share_update", {"share_id": user_share["id"], "permissions": 1})
        assert updated["permissions"] == 1
        await fails(s, "nc_share_update", {"share_id": user_share["id"], "permissions": 0}, "permissions")
        await fails(s, "nc_share_update", {"share_id": 99999, "permissions": 1}, "404")

        deleted = await ok(s, "nc_share_delete", {"share_id": user_share["id"]})
        assert deleted["deleted"] and 'share_with="bob"' in deleted["message"]
        await fails(s, "nc_share_delete", {"share_id": user_share["id"]}, "404")

        # Public link: at least expires_in_minutes, rounded up to a whole day, reported as stored.
        public = await ok(s, "nc_share_create_public_link", {"path": "Team/plan.md", "expires_in_minutes": 90})
        until = datetime.datetime.fromisoformat(public["requested_until"].replace("Z", "+00:00"))
        expected_date = (until.date() + datetime.timedelta(days=1)).isoformat()
        assert public["expire_date_sent"] == expected_date
        assert public["expires_at"] == f"{expected_date} 00:00:00"
        assert public["download_url"] == public["url"] + "/download"
        assert public["expires_at"] in public["message"]
        stored = await ok(s, "nc_share_get", {"share_id": public["share_id"]})
        assert stored["expiration"] == public["expires_at"]
        await fails(s, "nc_share_create_public_link", {"path": "Team/plan.md", "expires_in_minutes": 0},
                    "expires_in_minutes")


async def test_shared_with_me(mcp_server, mint_token, nextcloud):
    async with session_as("oauth", mcp_server, mint_token) as s:
        await ok(s, "nc_webdav_write_file", {"path": "for-bob.txt", "content": "hi"})
        await ok(s, "nc_share_create", {"path": "for-bob.txt", "share_with": "bob"})
    server = mcp_server()
    from tests.harness import mcp_session
    async with mcp_session(server.url, mint_token("bob")) as s:
        incoming = await ok(s, "nc_share_list", {"shared_with_me": True})
        assert [x["path"] for x in incoming["shares"]] == ["/for-bob.txt"]
        assert (await ok(s, "nc_share_list", {}))["total"] == 0
