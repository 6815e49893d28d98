"""The memory console in headless Chromium, offline: the demo, then ``serve`` on its database.

Screenshots of the main views go to ``$CONSOLE_SCREENSHOTS`` when set (``docs/images`` holds
the committed set: ``CONSOLE_SCREENSHOTS=docs/images pytest tests/console``), else to a
temporary directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from agentcore_memory_otel.wire.loopback import LOCAL_CREDENTIALS
from tests.local.helpers import meta, put, text
from tests.support import free_port, run_demo, wait_for_port

from .browser import chromium, screenshot

pytestmark = pytest.mark.slow

HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
HOSTILE_TRACE = "0af7651916cd43dd8448eb211c80319c"


class TracingTool(ThreadingHTTPServer):
    """A stand-in for Jaeger's UI: answers every path and remembers which were asked for."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        tool = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                tool.paths.append(self.path)
                body = f"<!doctype html><title>trace</title><p>{self.path}</p>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/trace/{{traceId}}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The demo, run as a user runs it; its database and its JSON summary."""
    directory = tmp_path_factory.mktemp("demo")
    _, summary = run_demo(directory)
    return directory / "demo.db", summary


@pytest.fixture(scope="module")
def tracing_tool() -> Iterator[TracingTool]:
    tool = TracingTool()
    thread = threading.Thread(target=tool.serve_forever, daemon=True)
    thread.start()
    yield tool
    tool.shutdown()
    tool.server_close()


@dataclass(frozen=True)
class Served:
    """A running ``agentcore-memory-otel serve`` and the console address it printed."""

    endpoint_url: str
    console_url: str

    def client(self, service: str = "bedrock-agentcore") -> Any:
        return boto3.client(
            service, endpoint_url=self.endpoint_url, region_name="us-east-1", **LOCAL_CREDENTIALS
        )


@pytest.fixture(scope="module")
def server(
    demo: tuple[Path, Any], tracing_tool: TracingTool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """``serve`` on the demo's database, as a user runs it, linking traces to the stand-in tool."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [sys.executable, "-m", "agentcore_memory_otel", "serve", "--db", str(demo[0])]
    command += ["--port", str(port), "--trace-url", tracing_tool.template]
    with log.open("w") as output:
        proc = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc)
        printed = re.search(r"^Memory console: (\S+)$", log.read_text(), re.MULTILINE)
        assert printed is not None, log.read_text()
        yield Served(f"http://127.0.0.1:{port}", printed.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("profile")) as driver:
        yield driver


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("CONSOLE_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def hostile(server: Served) -> dict[str, Any]:
    """A memory whose only session holds markup in a message and in a stored blob."""
    data = server.client()
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="hostile", eventExpiryDuration=7)["memory"]["id"]
    scope = {"actor": "user/42:alice", "session": "s-1"}
    put(data, memory_id, 1.0, payload=[{"blob": {"note": "<b>not bold</b>"}}], **scope)
    event = put(
        data,
        memory_id,
        2.0,
        payload=[text(HOSTILE), text("</pre><h1>fake</h1>", "ASSISTANT")],
        metadata=meta(traceId=HOSTILE_TRACE),
        **scope,
    )
    return {
        "memoryId": memory_id,
        "actorId": scope["actor"],
        "sessionId": scope["session"],
        "eventId": event["eventId"],
        "data": data,
    }


def until(browser: WebDriver, check: Callable[[WebDriver], Any], timeout: float = 15) -> Any:
    return WebDriverWait(browser, timeout, poll_frequency=0.05).until(check)


def settled(browser: WebDriver) -> str:
    """Wait until the view and every list in it have loaded; return the view's heading."""

    def ready(driver: WebDriver) -> str | None:
        main = driver.find_element(By.ID, "main")
        if main.get_attribute("aria-busy") or driver.find_elements(
            By.CSS_SELECTOR, '.paged[data-state="loading"]'
        ):
            return None
        headings = main.find_elements(By.TAG_NAME, "h1")
        return headings[0].text if headings else None

    heading: str = until(browser, ready)
    return heading


def open_view(browser: WebDriver, server: Served, query: str = "") -> str:
    browser.get(server.console_url + query)
    return settled(browser)


def event_ids(browser: WebDriver) -> list[str]:
    """The eventIds shown, in page order (read in one script, so the page cannot change midway)."""
    ids: list[str] = browser.execute_script(
        "return [...document.querySelectorAll('article.event')].map(a => a.dataset.eventId)"
    )
    return ids


def article(browser: WebDriver, event_id: str) -> WebElement:
    return browser.find_element(By.CSS_SELECTOR, f'article[data-event-id="{event_id}"]')


def trace_events(summary: dict[str, Any], trace_id: str) -> set[str]:
    return {e["eventId"] for e in summary["events"] if e["metadata"].get("traceId") == trace_id}


def test_walk_from_the_memory_to_a_turn_and_out_to_its_trace(
    browser: WebDriver,
    server: Served,
    demo: tuple[Path, dict[str, Any]],
    tracing_tool: TracingTool,
    shots: Path,
) -> None:
    summary = demo[1]
    assert open_view(browser, server) == "Memories"
    screenshot(browser, shots / "console-memories.png")
    browser.find_element(By.CSS_SELECTOR, "tbody a").click()
    memory_name = settled(browser)
    assert summary["memoryId"].startswith(memory_name)
    assert "/users/demo-user/preferences" in browser.find_element(By.ID, "main").text
    screenshot(browser, shots / "console-memory.png")

    browser.find_element(By.LINK_TEXT, summary["actorId"]).click()
    assert settled(browser) == summary["actorId"]
    browser.find_element(By.LINK_TEXT, summary["sessionId"]).click()
    assert settled(browser) == summary["sessionId"]
    # Every event of the session is there, newest first, each with its stamp highlighted.
    shown = event_ids(browser)
    assert sorted(shown, reverse=True) == shown
    assert set(shown) == {e["eventId"] for e in summary["events"]}
    assert len(browser.find_elements(By.CSS_SELECTOR, ".metadata .hl.trace")) == len(shown)
    until(browser, lambda d: "watching" in d.find_element(By.CLASS_NAME, "live").text)

    # The weather turn: its tool call and result, then out through its trace id.
    tool_trace = summary["traceIds"][1]
    turn = trace_events(summary, tool_trace)
    first = article(browser, min(turn))
    first.find_element(By.LINK_TEXT, "events of this trace").click()
    assert settled(browser) == tool_trace
    assert set(event_ids(browser)) == turn and len(event_ids(browser)) == len(turn)
    main = browser.find_element(By.ID, "main").text
    assert "get_weather" in main and "sunny, 24°C" in main
    screenshot(browser, shots / "console-trace.png", height=1300)

    browser.find_element(By.PARTIAL_LINK_TEXT, "Open the trace in the tracing tool").click()
    until(browser, lambda d: len(d.window_handles) == 2)
    origin = browser.current_window_handle
    browser.switch_to.window(browser.window_handles[1])
    try:
        until(browser, lambda d: f"/trace/{tool_trace}" in d.page_source)
        assert browser.current_url == tracing_tool.template.format(traceId=tool_trace)
    finally:
        browser.close()
        browser.switch_to.window(origin)
    assert f"/trace/{tool_trace}" in tracing_tool.paths


@pytest.mark.parametrize("form", ["hex", "xray", "session"])
def test_a_deep_link_shows_exactly_one_traces_events(
    browser: WebDriver, server: Served, demo: tuple[Path, dict[str, Any]], form: str
) -> None:
    summary = demo[1]
    trace_id = summary["traceIds"][1]
    query = {
        "hex": trace_id,
        "xray": f"1-{trace_id[:8]}-{trace_id[8:]}",
        "session": f"{trace_id}&actorId={summary['actorId']}&sessionId={summary['sessionId']}",
    }[form]
    heading = open_view(browser, server, f"?memoryId={summary['memoryId']}&traceId={query}")
    assert heading == query.split("&")[0]
    assert sorted(event_ids(browser)) == sorted(trace_events(summary, trace_id))
    count = len(trace_events(summary, trace_id))
    assert browser.find_element(By.CLASS_NAME, "trace-count").text == f"{count} events."
    stamps = browser.find_elements(By.CSS_SELECTOR, ".metadata .hl.trace code")
    assert {stamp.text for stamp in stamps} == {trace_id}


def test_deep_links_open_each_view(
    browser: WebDriver, server: Served, demo: tuple[Path, dict[str, Any]], shots: Path
) -> None:
    summary = demo[1]
    memory = f"?memoryId={summary['memoryId']}"
    assert open_view(browser, server, f"{memory}&actorId={summary['actorId']}") == "demo-user"
    session = f"{memory}&actorId=demo-user&sessionId={summary['sessionId']}"
    assert open_view(browser, server, session + "&order=oldest") == summary["sessionId"]
    assert event_ids(browser) == sorted(event_ids(browser))
    records = browser.find_elements(By.CSS_SELECTOR, ".item.record .record-note")
    assert len(records) >= 2  # the session and agent state written with the first message
    until(browser, lambda d: "watching" in d.find_element(By.CLASS_NAME, "live").text)
    screenshot(browser, shots / "console-session.png", height=1400)
    namespace = "/users/demo-user/preferences"
    assert open_view(browser, server, f"{memory}&namespace={namespace}") == namespace
    extracted = [r for r in summary["extractedRecords"] if r["namespace"] == namespace]
    assert len(browser.find_elements(By.CSS_SELECTOR, ".record-card")) == len(extracted) == 1
    assert open_view(browser, server, "?memoryId=nope-0123456789") == "Nothing to show"
    assert "nope-0123456789 not found" in browser.find_element(By.CSS_SELECTOR, ".error").text


def test_a_trace_id_alone_offers_only_the_memories_holding_it(
    browser: WebDriver, server: Served, demo: tuple[Path, dict[str, Any]], hostile: dict[str, Any]
) -> None:
    summary = demo[1]

    def offered() -> list[str]:
        rows = browser.find_elements(By.CSS_SELECTOR, "#main tbody th .mono")
        return [row.text for row in rows]

    assert open_view(browser, server) == "Memories"
    assert {summary["memoryId"], hostile["memoryId"]} <= set(offered())
    assert open_view(browser, server, f"?traceId={summary['traceIds'][0]}") == "Memories"
    assert offered() == [summary["memoryId"]]
    assert open_view(browser, server, f"?traceId={HOSTILE_TRACE}") == "Memories"
    assert offered() == [hostile["memoryId"]]
    open_view(browser, server, f"?traceId={'f' * 32}")
    assert offered() == []
    assert "No memory on this server holds an event of this trace." in browser.page_source


def test_live_checks_are_timed_in_utc_like_the_events(
    browser: WebDriver, server: Served, hostile: dict[str, Any]
) -> None:
    # A browser far from UTC: its local time of day would differ from the events' times.
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Kathmandu"})
    try:
        open_view(
            browser,
            server,
            f"?memoryId={hostile['memoryId']}&actorId={hostile['actorId']}"
            f"&sessionId={hostile['sessionId']}",
        )
        live = browser.find_element(By.CLASS_NAME, "live")
        until(browser, lambda d: "checked" in live.text)
        checked = re.search(r"\(checked (\d\d):(\d\d):(\d\d) UTC\)", live.text)
        assert checked is not None, live.text
        now = datetime.now(timezone.utc)
        shown = now.replace(hour=int(checked[1]), minute=int(checked[2]), second=int(checked[3]))
        apart = (now - shown).total_seconds() % 86400  # either side of midnight
        assert min(apart, 86400 - apart) < 120, (live.text, now)
        times = browser.find_elements(By.CSS_SELECTOR, "article.event time")
        assert times and all(t.text.endswith(" UTC") for t in times)
    finally:
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})


def test_stored_markup_is_shown_as_text(
    browser: WebDriver, server: Served, hostile: dict[str, Any]
) -> None:
    query = f"?memoryId={hostile['memoryId']}&actorId={hostile['actorId'].replace('/', '%2F')}"
    open_view(browser, server, f"{query}&sessionId={hostile['sessionId']}")
    texts = [p.text for p in browser.find_elements(By.CSS_SELECTOR, ".blocks .text")]
    assert HOSTILE in texts and "</pre><h1>fake</h1>" in texts
    assert '"<b>not bold</b>"' in browser.find_element(By.CSS_SELECTOR, ".item.raw pre").text
    assert browser.execute_script("return window.pwned") is None
    items = browser.find_element(By.CSS_SELECTOR, "article.event")
    for tag in ("script", "img", "b", "h1"):
        assert items.find_elements(By.TAG_NAME, tag) == []
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1


def test_an_open_session_shows_new_events_live(
    browser: WebDriver, server: Served, hostile: dict[str, Any]
) -> None:
    open_view(
        browser,
        server,
        f"?memoryId={hostile['memoryId']}&actorId={hostile['actorId']}"
        f"&sessionId={hostile['sessionId']}",
    )
    until(
        browser, lambda d: d.find_element(By.CLASS_NAME, "live").get_attribute("data-state") == "on"
    )
    new = put(
        hostile["data"],
        hostile["memoryId"],
        3.0,
        actor=hostile["actorId"],
        session=hostile["sessionId"],
        payload=[text("arrived while watching")],
    )
    arrived = until(
        browser,
        lambda d: d.find_elements(
            By.CSS_SELECTOR, f'article.arrived[data-event-id="{new["eventId"]}"]'
        ),
    )
    assert "arrived while watching" in arrived[0].text
    assert event_ids(browser)[0] == new["eventId"]  # newest first: on top
    assert "1 new event" in browser.find_element(By.CLASS_NAME, "live").text


def test_delete_asks_first(
    browser: WebDriver, server: Served, hostile: dict[str, Any], shots: Path
) -> None:
    scope = {
        "memoryId": hostile["memoryId"],
        "actorId": hostile["actorId"],
        "sessionId": hostile["sessionId"],
    }
    doomed = put(
        hostile["data"],
        hostile["memoryId"],
        4.0,
        actor=hostile["actorId"],
        session=hostile["sessionId"],
        payload=[text("delete me")],
    )["eventId"]
    open_view(
        browser,
        server,
        f"?memoryId={scope['memoryId']}&actorId={scope['actorId']}&sessionId={scope['sessionId']}",
    )
    dialog = browser.find_element(By.ID, "confirm-delete")

    def ask() -> None:
        article(browser, doomed).find_element(By.CSS_SELECTOR, "button.danger-text").click()
        until(browser, lambda d: dialog.get_attribute("open") is not None)
        assert doomed in dialog.text

    ask()
    dialog.find_element(By.CSS_SELECTOR, 'button[value="cancel"]').click()
    until(browser, lambda d: dialog.get_attribute("open") is None)
    assert doomed in event_ids(browser)
    ask()
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)  # Escape cancels too
    until(browser, lambda d: dialog.get_attribute("open") is None)
    assert hostile["data"].get_event(eventId=doomed, **scope)["event"]["eventId"] == doomed
    ask()
    screenshot(browser, shots / "console-delete.png")
    dialog.find_element(By.ID, "confirm-button").click()
    until(browser, lambda d: doomed not in event_ids(d))
    with pytest.raises(hostile["data"].exceptions.ResourceNotFoundException):
        hostile["data"].get_event(eventId=doomed, **scope)


def test_keyboard_reaches_the_trace_search(
    browser: WebDriver, server: Served, demo: tuple[Path, dict[str, Any]]
) -> None:
    summary = demo[1]
    trace_id = summary["traceIds"][0]
    open_view(browser, server, f"?memoryId={summary['memoryId']}")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    for _ in range(10):
        if browser.switch_to.active_element.get_attribute("id") == "trace-input":
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    field = browser.switch_to.active_element
    assert field.get_attribute("id") == "trace-input"
    field.send_keys(f"1-{trace_id[:8]}-{trace_id[8:]}", Keys.ENTER)
    settled(browser)
    assert sorted(event_ids(browser)) == sorted(trace_events(summary, trace_id))
    assert browser.switch_to.active_element.tag_name == "h1"  # focus follows the view


def test_a_large_session_loads_a_page_at_a_time(browser: WebDriver, server: Served) -> None:
    data = server.client()
    memory_id = server.client("bedrock-agentcore-control").create_memory(
        name="large", eventExpiryDuration=7
    )["memory"]["id"]
    for i in range(45):
        put(data, memory_id, 100.0 + i, session="long")
    open_view(browser, server, f"?memoryId={memory_id}&actorId=actor-1&sessionId=long")
    assert len(event_ids(browser)) == 20
    more = browser.find_element(By.CSS_SELECTOR, "button.more")
    for expected in (40, 45):
        more.click()
        until(browser, lambda d: len(event_ids(d)) == expected)  # noqa: B023 - waited on at once
    until(browser, lambda d: not more.is_displayed())
    assert event_ids(browser) == sorted(event_ids(browser), reverse=True)


def test_the_documented_bookmarklet_opens_a_traces_events(
    browser: WebDriver,
    server: Served,
    demo: tuple[Path, dict[str, Any]],
    tracing_tool: TracingTool,
) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "console.md").read_text()
    bookmarklet = docs.split("<!-- bookmarklet -->")[1].split("```")[1].split("\n")[1]
    assert bookmarklet.startswith("javascript:")
    script = bookmarklet.removeprefix("javascript:").replace(
        "http://127.0.0.1:8765", server.endpoint_url
    )
    summary = demo[1]
    trace_id = summary["traceIds"][2]
    phoenix_page = tracing_tool.template.replace("/trace/{traceId}", "")
    browser.get(f"{phoenix_page}/projects/UHJvamVjdDox/traces/{trace_id}?selectedSpanNodeId=x")
    origin = browser.current_window_handle
    browser.execute_script(script)
    until(browser, lambda d: len(d.window_handles) == 2)
    browser.switch_to.window(next(h for h in browser.window_handles if h != origin))
    try:
        assert settled(browser) == "Memories"
        browser.find_element(By.PARTIAL_LINK_TEXT, "agentcore_memory_otel_demo").click()
        assert settled(browser) == trace_id
        assert sorted(event_ids(browser)) == sorted(trace_events(summary, trace_id))
    finally:
        browser.close()
        browser.switch_to.window(origin)


def test_oldest_first_counts_new_events_until_their_page_is_loaded(
    browser: WebDriver, server: Served
) -> None:
    data = server.client()
    memory_id = server.client("bedrock-agentcore-control").create_memory(
        name="growing", eventExpiryDuration=7
    )["memory"]["id"]
    for i in range(25):
        put(data, memory_id, 100.0 + i, session="long")
    open_view(browser, server, f"?memoryId={memory_id}&actorId=actor-1&sessionId=long&order=oldest")
    live = browser.find_element(By.CLASS_NAME, "live")
    until(browser, lambda d: live.get_attribute("data-state") == "on")
    new = put(data, memory_id, 500.0, session="long")["eventId"]
    until(browser, lambda d: "1 new event after the last page" in live.text)
    assert new not in event_ids(browser)
    browser.find_element(By.CSS_SELECTOR, "button.more").click()
    until(browser, lambda d: len(event_ids(d)) == 26)
    assert event_ids(browser)[-1] == new
