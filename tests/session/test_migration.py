"""Migration both ways, with the real bedrock-agentcore SDK on the local server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from bedrock_agentcore.memory.integrations.strands.config import (
    AgentCoreMemoryConfig as SdkConfig,
)
from bedrock_agentcore.memory.integrations.strands.session_manager import (
    AgentCoreMemorySessionManager as SdkManager,
)
from strands import Agent
from strands.session.session_manager import SessionManager

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall

from .conftest import ACTOR, SESSION, ManagerFactory, add, calls

AGENT_ID = "assistant"


@pytest.fixture
def sdk_manager(
    server: LocalMemoryServer, memory_id: str, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], SdkManager]:
    """The SDK's session manager, pointed at the local server as docs/migration.md shows."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")

    def build() -> SdkManager:
        config = SdkConfig(memory_id=memory_id, session_id=SESSION, actor_id=ACTOR)
        return SdkManager(config, region_name="us-east-1")

    return build


def _agent(manager: SessionManager, script: list[Any]) -> Agent:
    return Agent(
        model=ScriptedModel(script),
        tools=[add],
        agent_id=AGENT_ID,
        session_manager=manager,
        callback_handler=None,
    )


def _history(agent: Agent) -> list[Any]:
    """The conversation as plain JSON, without tracking ids (only some writers keep them)."""
    messages: list[Any] = json.loads(json.dumps(agent.messages))
    for message in messages:
        message.pop("tracking_id", None)
    return messages


def test_sdk_session_continued_here_then_read_back_by_the_sdk(
    sdk_manager: Callable[[], SdkManager], make_manager: ManagerFactory
) -> None:
    written_by_sdk = _agent(sdk_manager(), ["Hello!", ToolCall("add", {"a": 2, "b": 3}), "5."])
    written_by_sdk("Hi")
    written_by_sdk("What is 2 + 3?")

    continued = _agent(make_manager(), ["Hi again.", "Still 5."])
    assert _history(continued) == _history(written_by_sdk)
    continued("Are you there?")
    continued("What was the sum?")

    back_in_sdk = _agent(sdk_manager(), ["Yes."])
    assert _history(back_in_sdk) == _history(continued)
    back_in_sdk("One more question")

    # And once more here: messages the SDK appended after ours keep their place.
    here_again = _agent(make_manager(), [])
    assert _history(here_again) == _history(back_in_sdk)
    assert len(here_again.messages) == 12


def test_session_started_here_is_not_readable_by_the_sdk(
    sdk_manager: Callable[[], SdkManager], make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    started_here = _agent(make_manager(), ["Hello!"])
    started_here("Hi")
    # The SDK looks for an event whose stateType is SESSION; this package saves that call by
    # letting the session record ride in the first message's event (stateType AGENT), so the
    # SDK takes the session for a new one and starts the agent empty.
    in_sdk = _agent(sdk_manager(), [])
    assert in_sdk.messages == []
    assert calls(server)["CreateEvent"] >= 1


def test_the_sdk_shows_a_redaction_made_here_without_the_original(
    sdk_manager: Callable[[], SdkManager], make_manager: ManagerFactory
) -> None:
    _agent(sdk_manager(), ["Hello!"])("Hi")
    manager = make_manager()
    here = _agent(manager, ["My card is 4111."])
    here("What is my card?")
    redacted: Any = {"role": "assistant", "content": [{"text": "[redacted]"}]}
    manager.redact_latest_message(redacted, here)
    assert [m["content"] for m in _agent(make_manager(), []).messages][-1] == [
        {"text": "[redacted]"}
    ]
    texts = [m["content"][0]["text"] for m in _agent(sdk_manager(), []).messages]
    assert texts == ["Hi", "Hello!", "What is my card?", "[redacted]"]


def test_with_sdk_readable_the_sdk_continues_a_session_started_here(
    sdk_manager: Callable[[], SdkManager], make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    server.stats.reset()
    started_here = _agent(make_manager(sdk_readable=True), ["Hello!", "5."])
    assert calls(server) == {"CreateEvent": 1, "ListEvents": 1}  # the session's own event
    started_here("Hi")
    in_sdk = _agent(sdk_manager(), ["Still here."])
    assert _history(in_sdk) == _history(started_here)
    in_sdk("Are you there?")
    assert _history(_agent(make_manager(), [])) == _history(in_sdk)
