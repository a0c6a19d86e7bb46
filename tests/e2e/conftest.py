"""Session fixtures shared by several e2e modules (defined once here so each starts once)."""

import pytest

from tests.e2e.dav_peers import dav_server, radicale  # noqa: F401 - Radicale + server for calendar/contacts
from tests.e2e.toolset_servers import start_servers


@pytest.fixture(scope="module")
def servers(nextcloud, oidc_peer, tmp_path_factory):
    """One server per auth mode (oauth, basic) for the toolset suites, started once per module."""
    started = start_servers(nextcloud, oidc_peer, tmp_path_factory)
    yield started
    for server in started.values():
        server.stop()
