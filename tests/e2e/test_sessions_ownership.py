"""Issue 10 §1: a session belongs to the identity that created it. An attacker holding a valid token
of their own and the victim's session id gets, for every verb and on both transports, exactly what
an unknown session gets (404), the victim's in-flight call still gets its result, and no session id
reaches the log at info or below (rmcp's own logging is pinned at warn, even at logging.level trace)."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid

import httpx
import pytest

from tests.e2e.reliability_support import PROTOCOL, RawSession, result_text, seed_note

pytestmark = pytest.mark.e2e

SSE_ACCEPT = {"Accept": "text/event-stream"}


def fingerprint(r: httpx.Response) -> tuple[int, str, str]:
    return r.status_code, r.headers.get("content-type", ""), r.text


def verbs(url: str, token: str, sid: str) -> dict[str, httpx.Response]:
    """Every request an attacker can make with a session id."""
    base = {"Authorization": f"Bearer {token}", "Mcp-Session-Id": sid, "MCP-Protocol-Version": PROTOCOL}
    post = {**base, "Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    out = {}
    with httpx.Client(timeout=10) as c:
        out["POST request"] = c.post(f"{url}/mcp", headers=post,
                                     content=json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/list"}))
        out["POST cancel"] = c.post(f"{url}/mcp", headers=post, content=json.dumps(
            {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}}))
        out["POST response"] = c.post(f"{url}/mcp", headers=post,
                                      content=json.dumps({"jsonrpc": "2.0", "id": 99, "result": {}}))
        out["GET stream"] = c.get(f"{url}/mcp", headers={**base, **SSE_ACCEPT})
        for event in ("0/0", "0/1", "1/0", "1/1", "2/0"):
            out[f"GET resume {event}"] = c.get(f"{url}/mcp", headers={**base, **SSE_ACCEPT, "Last-Event-ID": event})
        out["DELETE"] = c.delete(f"{url}/mcp", headers=base)
    return out


def test_foreign_session_is_answered_like_an_unknown_one_for_every_verb(mcp_server, mint_token):
    server = mcp_server()
    alice = RawSession(server.url, mint_token("alice")).open()
    bob_token = mint_token("bob")
    foreign = verbs(server.url, bob_token, alice.session_id)
    unknown = verbs(server.url, bob_token, uuid.uuid4().hex)
    for verb, r in foreign.items():
        assert r.status_code == 404, f"{verb} on another user's session: {r.status_code} {r.text[:200]}"
        assert fingerprint(r) == fingerprint(unknown[verb]), f"{verb}: foreign and unknown sessions differ"
    # The victim's session is untouched (the DELETE above did not close it).
    assert "tools" in alice.call("tools/list", {})["result"]


def test_delete_of_an_unknown_or_foreign_session_is_404_and_the_owner_can_delete(mcp_server, mint_token, http):
    server = mcp_server()
    alice = RawSession(server.url, mint_token("alice")).open()
    bob = {"Authorization": f"Bearer {mint_token('bob')}", "MCP-Protocol-Version": PROTOCOL}
    assert http.delete(f"{server.url}/mcp", headers={**bob, "Mcp-Session-Id": uuid.uuid4().hex}).status_code == 404
    assert http.delete(f"{server.url}/mcp", headers={**bob, "Mcp-Session-Id": alice.session_id}).status_code == 404
    assert alice.call("tools/list", {})["result"]["tools"]
    r = http.delete(f"{server.url}/mcp", headers={**alice.headers(), "Content-Type": "application/json"})
    assert r.status_code in (200, 202, 204), r.text
    gone = alice.post({"jsonrpc": "2.0", "id": 5, "method": "tools/list"})
    assert gone.status_code == 404
    # Deleting it again: it is unknown now.
    assert http.delete(f"{server.url}/mcp", headers=alice.headers()).status_code == 404


def test_victims_in_flight_call_survives_resumption_attempts(mcp_server, mint_token, nextcloud):
    server = mcp_server()
    note = seed_note(nextcloud, "alice", "alice-app-password", content="alice's in-flight secret")
    if note is None:
        pytest.skip("the Nextcloud fake has no Notes module")
    alice = RawSession(server.url, mint_token("alice")).open()
    bob_token = mint_token("bob")
    nextcloud.set_latency(2000)
    answers: queue.Queue = queue.Queue()
    victim = threading.Thread(target=lambda: answers.put(alice.tool("nc_notes_get_note", {"note_id": note})))
    victim.start()
    time.sleep(0.6)  # the victim's request stream is open and waiting for Nextcloud
    stolen = verbs(server.url, bob_token, alice.session_id)
    victim.join(30)
    nextcloud.set_latency(0)
    for verb, r in stolen.items():
        assert r.status_code == 404, f"{verb}: {r.status_code} {r.text[:300]}"
        assert "in-flight secret" not in r.text
    got = answers.get(timeout=1)
    assert "alice's in-flight secret" in result_text(got), got


# ---------------------------------------------------------------- legacy SSE
class SseStream:
    """A raw legacy SSE session: the endpoint it announces and the messages it streams."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.messages: queue.Queue = queue.Queue()
        self.endpoint: queue.Queue = queue.Queue()
        self.client = httpx.Client(timeout=httpx.Timeout(10, read=60))
        self.response: httpx.Response | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        path = self.endpoint.get(timeout=10)
        if isinstance(path, Exception):
            raise path
        self.path: str = path

    def _run(self) -> None:
        try:
            with self.client.stream("GET", f"{self.url}/sse",
                                    headers={"Authorization": f"Bearer {self.token}", **SSE_ACCEPT}) as r:
                self.response = r
                if r.status_code != 200:
                    r.read()
                    self.endpoint.put(RuntimeError(f"GET /sse: {r.status_code} {r.text[:200]}"))
                    return
                event = None
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data = line[5:].strip()
                        if event == "endpoint":
                            self.endpoint.put(data)
                        else:
                            self.messages.put(json.loads(data))
        except httpx.HTTPError:
            pass

    def post(self, message: dict, token: str | None = None, path: str | None = None) -> httpx.Response:
        return httpx.post(f"{self.url}{path or self.path}", json=message, timeout=10,
                          headers={"Authorization": f"Bearer {token or self.token}"})

    def request(self, rid: int, method: str, params: dict | None = None, timeout: float = 30) -> dict:
        r = self.post({"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}})
        assert r.status_code == 202, r.text
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if msg.get("id") == rid:
                return msg
        raise AssertionError(f"no answer to {method}")

    def open(self) -> SseStream:
        init = self.request(0, "initialize", {"protocolVersion": "2024-11-05", "capabilities": {},
                                              "clientInfo": {"name": "e2e", "version": "1"}})
        assert "result" in init, init
        assert self.post({"jsonrpc": "2.0", "method": "notifications/initialized"}).status_code == 202
        return self

    def close(self) -> None:
        """Drops the connection (the server frees the stream at its next write)."""
        stream = self.response.extensions.get("network_stream")
        if stream is not None:
            stream.get_extra_info("socket").shutdown(2)
        self.client.close()


def test_sse_messages_of_another_users_session_answer_404_like_an_unknown_one(mcp_server, mint_token):
    server = mcp_server()
    alice = SseStream(server.url, mint_token("alice")).open()
    try:
        bob = mint_token("bob")
        probe = {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}
        foreign = alice.post(probe, token=bob)
        unknown = alice.post(probe, token=bob, path=f"/messages?sessionId={uuid.uuid4().hex}")
        assert foreign.status_code == 404, foreign.text
        assert fingerprint(foreign) == fingerprint(unknown)
        # Nothing reached alice's stream, and her session still answers her.
        assert alice.messages.empty()
        assert alice.request(4, "tools/list")["result"]["tools"]
    finally:
        alice.close()


# ---------------------------------------------------------------- logs
def test_no_session_id_in_the_log_even_at_trace(mcp_server, mint_token):
    server = mcp_server({"logging": {"level": "trace"}})
    alice = RawSession(server.url, mint_token("alice")).open()
    alice.call("tools/list", {})
    sse = SseStream(server.url, mint_token("alice")).open()
    sse_id = sse.path.split("sessionId=")[1]
    sse.request(2, "tools/list")
    sse.close()
    with httpx.Client(timeout=10) as c:
        c.delete(f"{server.url}/mcp", headers=alice.headers())
    time.sleep(0.3)
    log = server.log_text()
    assert alice.session_id and alice.session_id not in log
    assert sse_id not in log
    for leak in ("create new session", "InitializeRequestParams", "serve_inner", "peer_info"):
        assert leak not in log, f"{leak!r} in the log"
    # The server's own debug/trace logging is still there (the pin is on rmcp only).
    assert "nextcloud_mcp" in log
