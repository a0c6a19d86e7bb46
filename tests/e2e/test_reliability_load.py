"""Reliability under load (issue 6): 200 concurrent sessions × 50 calls, none lost, memory recorded;
503s and timeouts from Nextcloud for a share of the calls each become an `isError` result naming the
cause within the configured timeout, and the server keeps serving.

The calls go through `nc_notes_get_note`, a tool that calls Nextcloud every time. When the fake has
a Notes app module a note is seeded and the calls succeed; without one every call is answered with
a 404 `isError` result, which still proves that no call is lost.
"""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from tests.e2e.reliability_support import PeakRss, RawSession, is_error, loadgen, result_text, seed_note, server_pid
from tests.harness.server import basic_mode

pytestmark = pytest.mark.e2e

TOOL = "nc_notes_get_note"
NOTE_ROUTE = "/index.php/apps/notes/api/v1/notes"


def note_id_or_probe(nextcloud) -> tuple[int, bool]:
    note = seed_note(nextcloud)
    return (note, True) if note is not None else (1, False)


def test_200_sessions_x_50_calls_nothing_lost(mcp_server, nextcloud):
    server = mcp_server({**basic_mode(), "logging": {"level": "warn"}})
    note, seeded = note_id_or_probe(nextcloud)
    nextcloud.reset_stats()
    pid = server_pid(server)
    with PeakRss(pid) as rss:
        res = loadgen(f"{server.url}/mcp", sessions=200, requests=50, method="tools/call",
                      params={"name": TOOL, "arguments": {"note_id": note}}, timeout=120)
    print(f"\n200x50 {TOOL}: {res['throughput']:.0f} calls/s, p50 {res['latency_ms']['p50']:.1f} ms, "
          f"p99 {res['latency_ms']['p99']:.1f} ms; server RSS start {rss.start_kb / 1024:.1f} MiB, "
          f"peak {rss.peak_mb:.1f} MiB (VmHWM {rss.hwm_mb:.1f} MiB); notes seeded: {seeded}; "
          f"isError kinds: {res['tool_error_kinds']}")
    assert res["init_errors"] == 0, res["error_samples"]
    assert res["errors"] == 0, res["error_samples"]
    assert res["ok"] == 200 * 50, res
    if seeded:
        assert res["tool_errors"] == 0, res
    else:  # no Notes module in the fake: every call is answered with Nextcloud's 404, and only that
        assert all("HTTP 404" in kind for kind in res["tool_error_kinds"]), res["tool_error_kinds"]
    # Every call reached Nextcloud exactly once (no call dropped, none duplicated).
    routes = nextcloud.stats()["routes"]
    assert routes.get(f"GET {NOTE_ROUTE}/{note}", 0) == 200 * 50, {k: v for k, v in routes.items() if "notes" in k}
    assert server.alive()
    # Memory is bounded: 200 sessions must not cost more than a few hundred MiB (generous for a debug build).
    assert rss.peak_mb < 512, f"peak RSS {rss.peak_mb:.0f} MiB"


async def _concurrent_calls(server, note: int, n: int, sessions: int = 10) -> list[tuple[dict, float]]:
    """n tools/call over `sessions` sessions in parallel: [(answer message, seconds)]."""
    loop = asyncio.get_running_loop()
    out: list[tuple[dict, float]] = []
    with httpx.Client(timeout=120, limits=httpx.Limits(max_connections=sessions * 2)) as client:
        raw = [RawSession(server.url, client=client).open() for _ in range(sessions)]

        def one(i: int) -> tuple[dict, float]:
            t = time.monotonic()
            msg = raw[i % sessions].tool(TOOL, {"note_id": note})
            return msg, time.monotonic() - t

        for start in range(0, n, sessions):
            batch = [loop.run_in_executor(None, one, i) for i in range(start, min(n, start + sessions))]
            out.extend(await asyncio.gather(*batch))
    return out


async def test_503_for_a_share_of_calls_each_named_and_server_keeps_serving(mcp_server, nextcloud):
    server = mcp_server({**basic_mode(), "nextcloud": {"timeout": 5}})
    note, seeded = note_id_or_probe(nextcloud)
    nextcloud.reset_stats()
    nextcloud.fault(status=503, share=0.25, routes=[NOTE_ROUTE])
    answers = await _concurrent_calls(server, note, 80)
    faults = nextcloud.stats()["faults_injected"]
    assert len(answers) == 80
    assert faults >= 15, faults
    named = [m for m, _ in answers if is_error(m) and re.search(r"\b503\b|maintenance", result_text(m), re.I)]
    assert len(named) == faults, [result_text(m)[:200] for m, _ in answers if is_error(m)][:5]
    for msg in named:
        assert "result" in msg and msg["result"]["isError"] is True, msg  # a tool error, not a protocol error
    if seeded:
        assert sum(1 for m, _ in answers if not is_error(m)) == 80 - faults
    nextcloud.clear_fault()
    msg = RawSession(server.url).open().tool(TOOL, {"note_id": note})
    assert not seeded or not is_error(msg), result_text(msg)
    assert server.alive()


async def test_timeouts_for_a_share_of_calls_answered_within_the_configured_timeout(mcp_server, nextcloud):
    timeout = 2
    server = mcp_server({**basic_mode(), "nextcloud": {"timeout": timeout, "max_retries": 0}})
    note, seeded = note_id_or_probe(nextcloud)
    nextcloud.reset_stats()
    nextcloud.fault(status=0, delay_ms=8000, share=0.25, routes=[NOTE_ROUTE])
    answers = await _concurrent_calls(server, note, 40, sessions=10)
    faults = nextcloud.stats()["faults_injected"]
    assert len(answers) == 40 and faults >= 8, faults
    timed_out = [(m, s) for m, s in answers if is_error(m) and re.search(r"timed out|timeout", result_text(m), re.I)]
    assert len(timed_out) == faults, [result_text(m)[:200] for m, _ in answers if is_error(m)][:5]
    for msg, seconds in timed_out:
        assert seconds < timeout + 2.5, f"answered after {seconds:.1f}s with nextcloud.timeout {timeout}s"
        assert msg["result"]["isError"] is True
    nextcloud.clear_fault()
    t = time.monotonic()
    msg = RawSession(server.url).open().tool(TOOL, {"note_id": note})
    assert time.monotonic() - t < timeout
    assert not seeded or not is_error(msg), result_text(msg)
    assert server.alive()


def test_dropped_connections_are_named_and_server_keeps_serving(mcp_server, nextcloud):
    server = mcp_server({**basic_mode(), "nextcloud": {"timeout": 5}})
    note, seeded = note_id_or_probe(nextcloud)
    nextcloud.fault(status=-1, share=1.0, routes=[NOTE_ROUTE])
    session = RawSession(server.url).open()
    msg = session.tool(TOOL, {"note_id": note})
    assert is_error(msg) and msg["result"]["isError"], msg
    assert re.search(r"unreachable|connection|closed|body|decode|unexpected", result_text(msg), re.I), result_text(msg)
    nextcloud.clear_fault()
    msg = session.tool(TOOL, {"note_id": note})
    assert not seeded or not is_error(msg), result_text(msg)
