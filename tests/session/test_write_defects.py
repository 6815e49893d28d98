"""Regression tests for the write-path defects: crash mid-turn, two writers, a failing
metadata_provider, a message over one event, SIGTERM with buffered messages."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from strands.types.exceptions import EventLoopException

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.read.history import INTERRUPTED_TOOL_TEXT
from agentcore_memory_otel.testing import ToolCall

from ..support import metric_points
from .conftest import RETRIES, SESSION, ManagerFactory, make_agent, no_trim, stored_events
from .test_history import _valid


class Crash(Exception):
    """Stands for the process dying at this point of the turn."""


CRASH = object()


def _crashing(replies: list[Any]) -> Any:
    """A script that raises ``Crash`` where it holds ``CRASH``."""
    pending = iter(replies)

    def respond(_: Any) -> Any:
        reply = next(pending)
        if reply is CRASH:
            raise Crash
        return reply

    return respond


def _texts(messages: list[Any]) -> list[str]:
    return [b.get("text", "") for m in messages for b in m["content"] if "text" in b]


@pytest.mark.parametrize(
    ("script", "last"),
    [
        ([CRASH], "second"),  # the prompt is stored, the reply never comes
        ([ToolCall("add", {"a": 1, "b": 2}), CRASH], "toolResult"),  # after the tool ran
    ],
)
def test_a_turn_cut_short_is_restored_as_stored(
    make_manager: ManagerFactory, script: list[Any], last: str
) -> None:
    agent = make_agent(
        make_manager(), _crashing(["hello", *script]), conversation_manager=no_trim()
    )
    agent("first")
    with pytest.raises((Crash, EventLoopException)):
        agent("second")
    stored = [dict(m) for m in agent.messages]
    resumed = make_agent(make_manager(), ["fine"], conversation_manager=no_trim())
    # As Strands' own managers: the restore adds nothing; the last message is left as stored.
    assert [m["content"] for m in resumed.messages] == [m["content"] for m in stored]
    assert last in (
        resumed.messages[-1]["content"][0].get("text"),
        *resumed.messages[-1]["content"][0],
    )
    resumed("third")
    assert _valid(resumed.messages)
    again = make_agent(make_manager(), conversation_manager=no_trim())
    assert [(m["role"], m["content"]) for m in again.messages] == [
        (m["role"], m["content"]) for m in resumed.messages
    ]


def test_a_stored_tool_use_without_its_result_is_answered_by_the_agent(
    make_manager: ManagerFactory,
) -> None:
    manager = make_manager()
    agent = make_agent(manager, [], conversation_manager=no_trim())
    manager.append_message({"role": "user", "content": [{"text": "add"}]}, agent)
    use: Any = {"toolUse": {"toolUseId": "t1", "name": "add", "input": {"a": 1, "b": 2}}}
    manager.append_message({"role": "assistant", "content": [use]}, agent)  # then the crash
    resumed = make_agent(make_manager(), ["3"], conversation_manager=no_trim())
    # The trailing toolUse is left to the agent, as with Strands' own managers...
    assert [m["role"] for m in resumed.messages] == ["user", "assistant"]
    resumed("again")
    # ...which answers it as interrupted when the next prompt arrives, and stores that.
    assert [m["role"] for m in resumed.messages] == [
        "user",
        "assistant",
        "user",
        "user",
        "assistant",
    ]
    result = resumed.messages[2]["content"][0]["toolResult"]
    assert (result["toolUseId"], result["status"]) == ("t1", "error")
    assert result["content"] == [{"text": INTERRUPTED_TOOL_TEXT}]
    assert _valid(resumed.messages)
    again = make_agent(make_manager(), conversation_manager=no_trim())
    assert [m["content"] for m in again.messages] == [m["content"] for m in resumed.messages]


def test_two_writers_on_one_session_lose_nothing(
    make_manager: ManagerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    # Both managers start before either writes: each numbers its messages from 0.
    first = make_agent(make_manager(), [f"a{i}" for i in range(10)], conversation_manager=no_trim())
    second = make_agent(
        make_manager(), [f"b{i}" for i in range(10)], conversation_manager=no_trim()
    )
    for turn in range(10):
        first(f"p{turn}")
        second(f"q{turn}")
    with caplog.at_level(logging.WARNING):
        restored = make_agent(make_manager(), conversation_manager=no_trim())
    expected = [x for t in range(10) for x in (f"p{t}", f"a{t}", f"q{t}", f"b{t}")]
    assert _texts(restored.messages) == expected  # all 40, in the order they were stored
    assert "several session managers wrote" in caplog.text


def test_redaction_after_a_restart_supersedes_the_restored_message(
    make_manager: ManagerFactory,
) -> None:
    agent = make_agent(make_manager(), ["card noted"], conversation_manager=no_trim())
    agent("my card is 4111")
    manager = make_manager()
    resumed = make_agent(manager, conversation_manager=no_trim())
    manager.redact_latest_message({"role": "assistant", "content": [{"text": "[gone]"}]}, resumed)
    again = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(again.messages) == ["my card is 4111", "[gone]"]


def test_a_failing_metadata_provider_still_stores_the_message(
    server: LocalMemoryServer, memory_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    reader = InMemoryMetricReader()
    calls = iter(range(1000))

    def provider() -> dict[str, str]:
        if next(calls) == 2:
            raise ZeroDivisionError("boom")
        return {"tenant": "t1"}

    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id, session_id=SESSION, actor_id="a", metadata_provider=provider
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        meter_provider=MeterProvider(metric_readers=[reader]),
    )
    agent = make_agent(manager, ["one", "two"], conversation_manager=no_trim())
    with caplog.at_level(logging.ERROR):
        agent("hi")
        agent("again")
    assert "metadata_provider" in caplog.text
    events = stored_events(server, memory_id, actor="a")
    assert sum(len(e["payload"]) for e in events) == 6  # 4 messages, session and agent records
    restored = make_agent(
        AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(memory_id=memory_id, session_id=SESSION, actor_id="a"),
            endpoint_url=server.endpoint_url,
        ),
        conversation_manager=no_trim(),
    )
    assert _texts(restored.messages) == ["hi", "one", "again", "two"]
    assert [
        (attributes["agentcore.memory.failure.source"], value)
        for attributes, value in metric_points(reader, "agentcore_memory.write.failures")
    ] == [("metadata_provider", 1)]


def _broken() -> dict[str, str]:
    return {"x": str(1 // 0)}


def test_a_metadata_provider_that_raises_at_construction_is_named(
    server: LocalMemoryServer, memory_id: str
) -> None:
    config = AgentCoreMemoryConfig(
        memory_id=memory_id, session_id=SESSION, actor_id="a", metadata_provider=_broken
    )
    with pytest.raises(ValueError, match="metadata_provider raised ZeroDivisionError") as info:
        AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_a_message_larger_than_an_event_is_stored_in_parts_and_restored_whole(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    huge = 'x"y' * 4_000_000  # 12 M characters; the quotes double in JSON: ~20 MB encoded
    agent = make_agent(make_manager(), ["got it"], conversation_manager=no_trim())
    agent(huge)
    events = stored_events(server, memory_id)
    assert len(events) >= 4  # at least three parts, then the reply
    restored = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(restored.messages) == [huge, "got it"]


def test_sigterm_flushes_buffered_messages(server: LocalMemoryServer, memory_id: str) -> None:
    script = textwrap.dedent(f"""
        import sys, time
        from strands import Agent
        from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
        from agentcore_memory_otel.testing import ScriptedModel
        manager = AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(memory_id={memory_id!r}, session_id="term", actor_id="a",
                                  batch_size=100),
            endpoint_url={server.endpoint_url!r})
        agent = Agent(model=ScriptedModel(["r1", "r2"]), session_manager=manager,
                      callback_handler=None)
        agent("p1")
        agent("p2")
        assert manager.pending_message_count() == 0  # each turn's end flushes
        manager.append_message({{"role": "user", "content": [{{"text": "buffered"}}]}}, agent)
        assert manager.pending_message_count() == 1
        print("ready", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    assert line == "ready", child.communicate()
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 128 + signal.SIGTERM
    events = stored_events(server, memory_id, session="term", actor="a")
    texts = [item for e in events for item in e["payload"] if "conversational" in item]
    assert len(texts) == 5
    assert "buffered" in texts[-1]["conversational"]["content"]["text"]


def _env() -> dict[str, str]:
    import os

    src = os.path.join(os.path.dirname(__file__), "..", "..", "src")
    return {**os.environ, "PYTHONPATH": os.path.abspath(src)}
