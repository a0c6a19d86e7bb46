"""End-to-end harness of nextcloud-mcp: peers (OIDC provider, Nextcloud fake), the server under
test, and MCP client helpers. Fixtures are in tests/conftest.py."""

from .mcp_client import auth_headers, initialize_request, mcp_post_headers, mcp_session, parse_challenge
from .peers import NextcloudFake, OidcPeer
from .processes import free_port
from .server import DELETE, McpServer, ServerNotReady, basic_mode, deep_merge, default_config, server_binary

__all__ = [
    "DELETE",
    "McpServer",
    "NextcloudFake",
    "OidcPeer",
    "ServerNotReady",
    "auth_headers",
    "basic_mode",
    "initialize_request",
    "mcp_post_headers",
    "parse_challenge",
    "deep_merge",
    "default_config",
    "free_port",
    "mcp_session",
    "server_binary",
]
