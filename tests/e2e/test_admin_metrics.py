"""Issue 14 §5: `/metrics` in Prometheus (OpenMetrics) text format, parsed by the official
Python client's parser, with requests and latency per MCP method and per tool, tool errors by
kind, Nextcloud calls by API and status, token-cache hits and misses, open sessions and SSE
streams; and one log line per tool call (tool, user, duration, outcome) without arguments or
results, failures logged as failures."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from tests.harness import basic_mode, free_port, mcp_session

pytestmark = pytest.mark.e2e

SECRET_TITLE = "metrics-secret-argument-7d1f"


def scrape(url: str) -> dict[str, list]:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    families = {f.name: f.samples for f in text_string_to_metric_families(response.text)}
    return families


def value(samples: list, name: str, **labels: str) -> float:
    total = 0.0
    for sample in samples:
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
            total += sample.value
    return total


async def test_metrics_count_mcp_methods_tools_errors_and_nextcloud_calls(mcp_server):
    server = mcp_server(basic_mode())
    async with mcp_session(server.url) as session:
        await session.list_tools()
        created = await session.call_tool("nc_notes_create_note",
                                          {"title": SECRET_TITLE, "content": "body", "category": ""})
        assert not created.isError, created
        missing = await session.call_tool("nc_notes_get_note", {"note_id": 987654})
        assert missing.isError
        families = scrape(f"{server.url}/metrics")
        assert value(families["nextcloud_mcp_sessions_open"], "nextcloud_mcp_sessions_open") >= 1
    p = "nextcloud_mcp_"
    requests = families[p + "mcp_requests"]
    assert value(requests, p + "mcp_requests_total", method="tools/list", outcome="ok") >= 1
    assert value(requests, p + "mcp_requests_total", method="tools/call") >= 2
    durations = families[p + "mcp_request_duration_seconds"]
    assert value(durations, p + "mcp_request_duration_seconds_count", method="tools/call") >= 2
    calls = families[p + "tool_calls"]
    assert value(calls, p + "tool_calls_total", tool="nc_notes_create_note", outcome="ok") == 1
    assert value(calls, p + "tool_calls_total", tool="nc_notes_get_note", outcome="error") == 1
    errors = families[p + "tool_errors"]
    assert value(errors, p + "tool_errors_total", tool="nc_notes_get_note", kind="not_found") == 1
    tool_durations = families[p + "tool_call_duration_seconds"]
    assert value(tool_durations, p + "tool_call_duration_seconds_count", tool="nc_notes_get_note") == 1
    nc = families[p + "nextcloud_requests"]
    assert value(nc, p + "nextcloud_requests_total", api="notes", status="404") >= 1
    assert value(nc, p + "nextcloud_requests_total", api="notes", status="200") >= 1
    assert value(families[p + "nextcloud_request_duration_seconds"],
                 p + "nextcloud_request_duration_seconds_count", api="notes") >= 2
    assert p + "sse_streams_open" in families

    log = server.log_text()
    ok_lines = [line for line in log.splitlines() if "tool=nc_notes_create_note" in line]
    assert len(ok_lines) == 1 and "user=alice" in ok_lines[0] and "outcome=ok" in ok_lines[0], ok_lines
    assert " INFO " in ok_lines[0] and "duration_ms=" in ok_lines[0], ok_lines
    failed = [line for line in log.splitlines() if "tool=nc_notes_get_note" in line]
    assert len(failed) == 1 and "outcome=error kind=not_found" in failed[0], failed
    assert " WARN " in failed[0], failed
    # The harness logs at debug (rmcp's own debug lines show payloads); at info and above
    # nothing of the arguments or results may appear.
    info_and_above = [line for line in log.splitlines() if not (" DEBUG " in line or " TRACE " in line)]
    leaked = [line for line in info_and_above if SECRET_TITLE in line or "987654" in line]
    assert not leaked, leaked


async def test_token_cache_hits_and_misses_are_counted(mcp_server, mint_token):
    server = mcp_server()
    token = mint_token("alice")
    for _ in range(2):
        async with mcp_session(server.url, token=token) as session:
            await session.list_tools()
    families = scrape(f"{server.url}/metrics")
    lookups = families["nextcloud_mcp_token_cache_lookups"]
    assert value(lookups, "nextcloud_mcp_token_cache_lookups_total", result="miss") >= 1
    assert value(lookups, "nextcloud_mcp_token_cache_lookups_total", result="hit") >= 1


async def test_metrics_on_their_own_listener(mcp_server):
    port = free_port()
    server = mcp_server({**basic_mode(), "metrics": {"listen": f"127.0.0.1:{port}", "path": "/prom"}})
    families = scrape(f"http://127.0.0.1:{port}/prom")
    assert "nextcloud_mcp_sessions_open" in families and "nextcloud_mcp_sse_streams_open" in families
    assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 404


async def test_open_sse_streams_are_counted(mcp_server):
    server = mcp_server(basic_mode())
    async with mcp_session(server.url, transport="sse") as session:
        await session.list_tools()
        families = scrape(f"{server.url}/metrics")
        assert value(families["nextcloud_mcp_sse_streams_open"], "nextcloud_mcp_sse_streams_open") >= 1


async def test_metrics_can_be_turned_off(mcp_server):
    server = mcp_server({**basic_mode(), "metrics": {"enabled": False}})
    assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 404
