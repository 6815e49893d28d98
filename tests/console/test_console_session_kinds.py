"""The console shows every kind of session this package or the reference SDK writes.

Graph and Swarm sessions (the orchestrator's state records), a message stored in
parts, a session written by the SDK's own session manager, and damaged items: each answers
200 from the console API with a view for every item, and renders in headless Chromium. Before
issue 22 a Graph, Swarm or parts session answered 500 (``AssertionError`` in ``render``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from bedrock_agentcore.memory.integrations.strands.config import (
    AgentCoreMemoryConfig as SdkConfig,
)
from bedrock_agentcore.memory.integrations.strands.session_manager import (
    AgentCoreMemorySessionManager as SdkManager,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from strands import Agent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.local.console.render import timestamp
from agentcore_memory_otel.testing import ScriptedModel
from agentcore_memory_otel.wire.encoding import encode_part
from tests.local.rawhttp import send
from tests.session.multi_agent_scenarios import graph, handoff, swarm

from .browser import chromium

ACTOR = "user-1"
# Session -> the item kinds its events must show (each at least once).
EXPECTED = {
    "graph": {"multiAgentRecord", "sessionRecord"},
    "swarm": {"multiAgentRecord", "sessionRecord"},
    "parts": {"part"},
    "sdk": {"message", "agentRecord", "sessionRecord"},
    "damaged": {"raw"},
}
LABELS = {"graph": "graph state", "swarm": "swarm state", "parts": "message part"}


def _ours(server: LocalMemoryServer, memory_id: str, session: str) -> AgentCoreMemorySessionManager:
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id=session, actor_id=ACTOR)
    return AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalMemoryServer, str]]:
    """A server holding one session of each kind; yields it and the memory id."""
    with pytest.MonkeyPatch.context() as env, LocalMemoryServer() as server:
        for name in ("BEDROCK_AGENTCORE", "BEDROCK_AGENTCORE_CONTROL"):
            env.setenv(f"AWS_ENDPOINT_URL_{name}", server.endpoint_url)
        env.setenv("AWS_ACCESS_KEY_ID", "local")
        env.setenv("AWS_SECRET_ACCESS_KEY", "local")
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="kinds", eventExpiryDuration=30)["memory"]["id"]

        graph(
            _ours(server, memory_id, "graph"),
            {"research": ["facts"], "write": ["draft"], "review": ["approved"]},
        ).orchestrator("the task")
        swarm(
            _ours(server, memory_id, "swarm"),
            {"triage": [handoff("billing"), "handed over"], "billing": ["refunded"]},
        ).orchestrator("the task")

        data = server.client()
        group = "0123456789abcdef0123456789abcdef"
        for index, chunk in enumerate(("first third, ", "second third, ", "last third")):
            data.create_event(
                memoryId=memory_id,
                actorId=ACTOR,
                sessionId="parts",
                eventTimestamp=time.time(),
                payload=[encode_part(group, index, 3, "USER", chunk)],
            )

        sdk_config = SdkConfig(memory_id=memory_id, session_id="sdk", actor_id=ACTOR)
        agent = Agent(
            model=ScriptedModel(["hello from the SDK's session"]),
            session_manager=SdkManager(sdk_config, region_name="us-east-1"),
            callback_handler=None,
        )
        agent("hi")

        damaged = [
            {"blob": json.dumps({"multi_agent_id": "g", "state": {"completed_nodes": 5}})},
            {"blob": json.dumps({"group": "g", "part": "x", "parts": 2, "role": "USER"})},
            {"blob": json.dumps({"message": {"role": "user", "content": "not a list"}})},
            {"blob": "not json at all"},
            {"conversational": {"role": "USER", "content": {"text": '{"message": 7}'}}},
        ]
        for item in damaged:
            data.create_event(
                memoryId=memory_id,
                actorId=ACTOR,
                sessionId="damaged",
                eventTimestamp=time.time(),
                payload=[item],
            )
        yield server, memory_id


def _query(memory_id: str, session: str) -> str:
    return urlencode({"memoryId": memory_id, "actorId": ACTOR, "sessionId": session})


def _items(server: LocalMemoryServer, memory_id: str, session: str) -> list[dict[str, Any]]:
    answer = send(
        server.endpoint_url,
        "GET",
        f"/console/api/events?{_query(memory_id, session)}&maxResults=100",
    )
    assert answer.status == 200, answer.body
    return [item for event in answer.json()["events"] for item in event["items"]]


@pytest.mark.parametrize("session", sorted(EXPECTED))
def test_every_kind_of_session_has_a_view_for_each_item(
    served: tuple[LocalMemoryServer, str], session: str
) -> None:
    server, memory_id = served
    items = _items(server, memory_id, session)
    kinds = {item["kind"] for item in items}
    assert EXPECTED[session] <= kinds, kinds
    if session in ("graph", "swarm"):
        labels = {item.get("label") for item in items if item["kind"] == "multiAgentRecord"}
        assert labels == {LABELS[session]}
    if session == "damaged":  # one view per stored item, whatever it holds
        assert len(items) == 5


def test_a_stored_time_no_date_can_hold_still_renders() -> None:
    assert "out of range" in timestamp(1e13)["display"]
    assert "out of range" in timestamp(-1e300)["display"]
    assert timestamp(0)["iso"] == "1970-01-01T00:00:00.000Z"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("profile")) as driver:
        yield driver


@pytest.mark.slow
@pytest.mark.parametrize("session", sorted(EXPECTED))
def test_every_kind_of_session_renders_in_the_browser(
    served: tuple[LocalMemoryServer, str], browser: WebDriver, session: str
) -> None:
    server, memory_id = served
    items = _items(server, memory_id, session)
    browser.get(f"{server.console_url}?{_query(memory_id, session)}")
    shown = WebDriverWait(browser, 15, poll_frequency=0.05).until(
        lambda driver: (
            len(driver.find_elements(By.CSS_SELECTOR, "li.item")) == len(items)
            and driver.find_elements(By.CSS_SELECTOR, "li.item")
        )
    )
    text = " ".join(element.text for element in shown)
    if session in LABELS:
        assert LABELS[session] in text.lower()  # the page shows labels in capitals
    assert browser.execute_script("return document.querySelectorAll('.error').length") == 0
