"""Minimal Notes and WebDAV-files modules for the Nextcloud contract fake, used by the benchmark only
when the fake (tests/fakes/nextcloud/apps) has no module of its own for that API yet. Shapes follow
../shared/nextcloud-api/notes/GET_note.txt, GET_notes_chunked_*.txt and webdav/PROPFIND_depth1_response.xml."""
