"""End-to-end harness of nextcloud-mcp: peers (OIDC provider, Nextcloud fake), the server under
test, and MCP client helpers. Fixtures are in tests/conftest.py."""

from .mcp_client import auth_headers, mcp_session
from .peers import NextcloudFake, OidcPeer
from .processes import free_port
from .server import DELETE, McpServer, ServerNotReady, deep_merge, default_config, server_binary

__all__ = [
    "DELETE",
    "McpServer",
    "NextcloudFake",
    "OidcPeer",
    "ServerNotReady",
    "auth_headers",
    "deep_merge",
    "default_config",
    "free_port",
    "mcp_session",
    "server_binary",
]
