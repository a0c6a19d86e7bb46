"""Session fixtures shared by several e2e modules (defined once here so each starts once)."""

from tests.e2e.dav_peers import dav_server, radicale  # noqa: F401 - Radicale + server for calendar/contacts
