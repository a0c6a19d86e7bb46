"""Contract fake of Nextcloud for the e2e suite. See README.md.

Helpers for app modules (apps/<app>.py):
    current_user(request) -> uid               (await; raises -> 401 in the area's format)
    get_state(request) -> FakeState
    ocs_response(request, data, status=200, message=None)
    ocs_route / app_route / dav_route           Route factories with Nextcloud's auth rules
    quote_etag, make_etag, etag_matches         ETags (always quoted on the wire)
    multistatus, multistatus_response, sabre_error, Raw, NS   WebDAV XML
"""

from .auth import NotAuthenticated, current_user, get_state
from .dav import NS, Raw, etag_matches, make_etag, multistatus, multistatus_response, quote_etag, sabre_error
from .ocs import ocs_error, ocs_response
from .routing import app_route, dav_route, ocs_route

__all__ = [
    "NS",
    "NotAuthenticated",
    "Raw",
    "app_route",
    "current_user",
    "dav_route",
    "etag_matches",
    "get_state",
    "make_etag",
    "multistatus",
    "multistatus_response",
    "ocs_error",
    "ocs_response",
    "ocs_route",
    "quote_etag",
    "sabre_error",
]
