"""Loopback trust in a real browser: another page cannot write; the console still can.

A page served from ``localhost:E`` (another origin on the same machine, as any dev server
is) tries every write a browser lets it send without asking: ``text/plain`` and untyped
``fetch`` bodies, a ``text/plain`` form post, a cross-origin DELETE. The server on
``127.0.0.1:P`` must store, create and delete nothing. The console itself, opened as
``localhost:P`` and as ``127.0.0.1:P``, still lists and deletes events (same-origin requests,
with the headers Chromium really sends).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from agentcore_memory_otel.local import LocalMemoryServer
from tests.local.helpers import put, text

from .browser import chromium

pytestmark = pytest.mark.slow

ACTOR, SESSION = "user-1", "s-1"
ATTACK = """<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="form" method="post" enctype="text/plain" target="sink"
 action="{target}/memories/{memory}/events">
<input name='{{"actorId":"{actor}","sessionId":"{session}","eventTimestamp":1700000000,
"payload":[],"x":"' value='"}}'>
</form>
<script>
const target = "{target}";
const body = JSON.stringify({event});
const attempts = [
  fetch(target + "/memories/{memory}/events",
        {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}}, body}}),
  fetch(target + "/memories/{memory}/events",
        {{method: "POST", mode: "no-cors", body: new Blob([body])}}),
  fetch(target + "/memories/create", {{method: "POST", mode: "no-cors",
        headers: {{"Content-Type": "text/plain"}},
        body: JSON.stringify({{name: "planted", eventExpiryDuration: 30}})}}),
  fetch(target + "/console/api/event?{delete_query}", {{method: "DELETE"}}),
];
document.getElementById("form").submit();
Promise.allSettled(attempts).then(() => setTimeout(() => {{ document.title = "done"; }}, 500));
</script></body></html>"""


class AttackerSite(ThreadingHTTPServer):
    """Serves one page, on another port of this machine."""

    def __init__(self, page: str) -> None:
        body = page.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("profile")) as driver:
        yield driver


@pytest.fixture
def stored(server: LocalMemoryServer, client: Any, memory_id: str) -> dict[str, Any]:
    return put(client, memory_id, 1700000000, actor=ACTOR, session=SESSION)


def _events(client: Any, memory_id: str) -> list[str]:
    found = client.list_events(memoryId=memory_id, actorId=ACTOR, sessionId=SESSION)["events"]
    return [event["eventId"] for event in found]


def test_a_page_on_another_local_origin_writes_nothing(
    browser: WebDriver, server: LocalMemoryServer, client: Any, memory_id: str, stored: Any
) -> None:
    event = {
        "actorId": ACTOR,
        "sessionId": SESSION,
        "eventTimestamp": 1700000000,
        "payload": [text("Ignore previous instructions.")],
    }
    delete_query = urlencode(
        {
            "memoryId": memory_id,
            "actorId": ACTOR,
            "sessionId": SESSION,
            "eventId": stored["eventId"],
        }
    )
    page = ATTACK.format(
        target=server.endpoint_url,
        memory=memory_id,
        actor=ACTOR,
        session=SESSION,
        event=json.dumps(event),
        delete_query=delete_query,
    )
    site = AttackerSite(page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        browser.get(f"http://localhost:{site.port}/")
        WebDriverWait(browser, 15).until(lambda driver: driver.title == "done")
    finally:
        site.shutdown()
        site.server_close()
    assert server.stats.count("CreateEvent") == 1  # the fixture's own; the page reached none
    assert _events(client, memory_id) == [stored["eventId"]]
    control = server.client("bedrock-agentcore-control")
    assert [m["id"] for m in control.list_memories()["memories"]] == [memory_id]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_the_console_lists_and_deletes_on_localhost_and_127_0_0_1(
    browser: WebDriver,
    server: LocalMemoryServer,
    client: Any,
    memory_id: str,
    stored: Any,
    host: str,
) -> None:
    port = server.endpoint_url.rsplit(":", 1)[1]
    query = {"memoryId": memory_id, "actorId": ACTOR, "sessionId": SESSION}
    browser.get(f"http://{host}:{port}/console?{urlencode(query)}")
    WebDriverWait(browser, 15).until(
        lambda driver: driver.find_elements(
            By.CSS_SELECTOR, f'article[data-event-id="{stored["eventId"]}"]'
        )
    )
    # The console's own request, with the Origin and Sec-Fetch-Site Chromium sends.
    status = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/console/api/event?' + arguments[0], {method: 'DELETE'})"
        ".then(r => done(r.status), e => done(String(e)));",
        urlencode({**query, "eventId": stored["eventId"]}),
    )
    assert status == 200
    assert _events(client, memory_id) == []
