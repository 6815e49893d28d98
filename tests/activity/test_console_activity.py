"""The console: a trace's activity, a record's sources, and links both ways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By

from agentcore_memory_otel.local import LocalMemoryServer

from ..console.browser import chromium
from ..console.test_console_api import call
from ..console.test_console_browser import settled, until
from .conftest import TRACE


def test_the_activity_endpoint_lists_reads_and_taught_records(
    server: LocalMemoryServer, story: dict[str, str]
) -> None:
    found = call(
        server, "/activity", memoryId=story["memory"], traceId=f"1-{TRACE[:8]}-{TRACE[8:]}"
    )
    assert found["traceId"] == TRACE and found["truncated"] is False
    assert found["reads"] == [
        {
            "memoryRecordId": story["seeded"],
            "score": 0.75,
            "namespace": "/facts/ada",
            "eventId": story["reply"],
        }
    ]
    assert [r["memoryRecordId"] for r in found["records"]] == [story["taught"]]
    assert found["records"][0]["lineage"]["traceIds"] == [TRACE]
    assert found["superseded"] == []
    assert call(server, "/activity", memoryId=story["memory"], traceId="nope")[0] == 400


def test_the_record_endpoint_gives_lineage_and_source_events(
    server: LocalMemoryServer, story: dict[str, str]
) -> None:
    found = call(server, "/record", memoryId=story["memory"], recordId=story["taught"])
    assert found["record"]["lineage"]["traceIds"] == [TRACE]
    assert [(e["eventId"], e["found"]) for e in found["sourceEvents"]] == [(story["source"], True)]
    missing = "mem-" + "0" * 36
    assert call(server, "/record", memoryId=story["memory"], recordId=missing)[0] == 404
    status, body = call(server, "/record", memoryId=story["memory"], recordId="mem-<script>")
    assert status == 400 and "recordId" in body["error"]


def test_links_lead_from_a_record_to_its_trace_and_back(
    server: LocalMemoryServer, story: dict[str, str], tmp_path: Path
) -> None:
    with chromium(tmp_path / "profile") as browser:
        browser.get(f"{server.console_url}?memoryId={story['memory']}&namespace=/preferences/ada")
        settled(browser)
        # A record card says which trace taught it; its link opens the trace's page.
        browser.find_element(By.CSS_SELECTOR, ".record-card .taught-by a").click()
        assert settled(browser) == TRACE
        until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".activity .taught li"))
        reads = browser.find_elements(By.CSS_SELECTOR, ".activity .reads li")
        assert [r.text.split()[0] for r in reads] == [story["seeded"]]
        # The trace's page links to the record it taught; the record's page shows its source.
        browser.find_element(By.CSS_SELECTOR, ".activity .taught li a").click()
        assert settled(browser) == story["taught"]
        sources: Any = browser.execute_script(
            "return [...document.querySelectorAll('article.event')].map(a => a.dataset.eventId)"
        )
        assert sources == [story["source"]]
