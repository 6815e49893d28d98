"""content_filter: which strings it sees, what it leaves alone, and how it fails.

Real agents on the local server; the stored events are read back raw.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from strands import Agent
from strands.types.session import SessionMessage

from agentcore_memory_otel import (
    AgentCoreMemoryConfig,
    AgentCoreMemorySessionManager,
    AgentCoreMemoryStore,
    redact_common,
)
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import GuardrailModel, ToolCall
from agentcore_memory_otel.wire.content_policy import ContentPolicy

from ..support import (
    ACTOR,
    RETRIES,
    SESSION,
    ManagerFactory,
    make_agent,
    stored_events,
)

EMAIL = "jane.doe@example.com"


def _upper(text: str) -> str:
    """A filter that shows which strings went through it."""
    return text.upper()


def _raw(server: LocalMemoryServer, memory_id: str) -> str:
    return json.dumps(stored_events(server, memory_id), default=str)


def test_identifiers_stay_and_content_is_filtered(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    with make_manager(content_filter=_upper) as manager:
        agent = make_agent(manager, [ToolCall("add", {"a": 2, "b": 3}), "five it is"])
        agent.state.set("note", {"who": "alice", "tags": ["vip"]})
        agent("add two and three")
        live = json.dumps(agent.messages)
    assert "add two and three" in live  # the agent in this process keeps what it had
    with make_manager(content_filter=_upper) as manager:
        restored = make_agent(manager, [])
    messages = restored.messages
    assert messages[0]["content"][0]["text"] == "ADD TWO AND THREE"
    tool_use = messages[1]["content"][0]["toolUse"]
    assert tool_use["name"] == "add" and tool_use["input"] == {"a": 2, "b": 3}
    result = messages[2]["content"][0]["toolResult"]
    assert result["toolUseId"] == tool_use["toolUseId"] and result["status"] == "success"
    assert messages[3]["content"][0]["text"] == "FIVE IT IS"
    assert messages[0]["role"] == "user"
    assert restored.state.get("note") == {"who": "ALICE", "tags": ["VIP"]}
    window = restored.conversation_manager.get_state()
    assert window["__name__"] == type(restored.conversation_manager).__name__


def test_tool_inputs_and_results_at_any_depth(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    with make_manager(content_filter=redact_common) as manager:
        agent = make_agent(manager, [ToolCall("remember", {"fact": f"mail {EMAIL}"}), "ok"])
        agent(f"remember {EMAIL}")
        assert EMAIL in json.dumps(agent.state.get())
    raw = _raw(server, memory_id)
    assert EMAIL not in raw
    assert raw.count("[EMAIL]") >= 3  # the user's text, the tool input, the agent state


def test_the_converter_sees_filtered_messages(server: LocalMemoryServer, memory_id: str) -> None:
    """Order: content_filter, then binary_policy, then converter= (the converter never sees
    what the filter removed)."""
    seen: list[str] = []

    class Converter:
        @staticmethod
        def message_to_payload(session_message: SessionMessage) -> list[tuple[str, str]]:
            text = json.dumps(session_message.to_dict())
            seen.append(text)
            return [(text, "USER" if session_message.message["role"] == "user" else "ASSISTANT")]

        @staticmethod
        def events_to_messages(events: list[dict[str, Any]]) -> list[SessionMessage]:
            return [
                SessionMessage.from_dict(json.loads(item["conversational"]["content"]["text"]))
                for event in reversed(events)
                for item in event["payload"]
                if "conversational" in item
            ]

        @staticmethod
        def exceeds_conversational_limit(message: tuple[str, str]) -> bool:
            return False

    def manager() -> AgentCoreMemorySessionManager:
        config = AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id=SESSION,
            actor_id=ACTOR,
            create_event_rate=None,
            content_filter=redact_common,
        )
        return AgentCoreMemorySessionManager(
            config,
            endpoint_url=server.endpoint_url,
            converter=Converter,
            boto_client_config=RETRIES,
        )

    with manager() as first:
        make_agent(first, [f"write to {EMAIL}"])(f"I am {EMAIL}")
    assert seen and all(EMAIL not in text and "[EMAIL]" in text for text in seen)
    with manager() as second:
        restored = make_agent(second, [])
    assert [m["content"][0]["text"] for m in restored.messages] == [
        "I am [EMAIL]",
        "write to [EMAIL]",
    ]


def test_a_guardrail_rewrite_is_filtered_too(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    with make_manager(content_filter=redact_common) as manager:
        model = GuardrailModel(["no"], redact_with=f"[blocked] from {EMAIL}")
        agent = Agent(model=model, session_manager=manager, callback_handler=None)
        agent(f"my secret is {EMAIL}")
        assert agent.messages[0]["content"][0]["text"] == f"[blocked] from {EMAIL}"
    raw = _raw(server, memory_id)
    assert EMAIL not in raw and "[blocked] from [EMAIL]" in raw


def test_a_raising_filter_stores_nothing_and_names_itself(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("detector down")

    calls = {"n": 0}

    def flaky(text: str) -> str:
        calls["n"] += 1
        if EMAIL in text:
            raise RuntimeError("detector down")
        return text

    manager = make_manager(content_filter=broken)
    with pytest.raises(ValueError, match="content_filter raised RuntimeError"):
        make_agent(manager, ["hi"])("hello")
    with make_manager(content_filter=flaky) as manager:
        agent = make_agent(manager, ["hi"])
        with pytest.raises(ValueError, match="content_filter raised RuntimeError"):
            agent(f"I am {EMAIL}")
        agent("and now without it")  # the agent goes on; later messages are stored
    assert calls["n"] > 0
    raw = _raw(server, memory_id)
    assert EMAIL not in raw and "and now without it" in raw


def test_a_filter_returning_no_text_is_refused(make_manager: ManagerFactory) -> None:
    manager = make_manager(content_filter=lambda text: None)
    with pytest.raises(TypeError, match="content_filter must return a str, got NoneType"):
        make_agent(manager, ["hi"])("hello")


def test_a_filter_that_is_not_callable_is_refused(make_manager: ManagerFactory) -> None:
    with pytest.raises(ValueError, match="content_filter"):
        make_manager(content_filter="redact")


def test_the_live_message_is_never_changed() -> None:
    block = {"toolUse": {"toolUseId": "t1", "name": "look", "input": {"q": EMAIL}}}
    message: Any = {"role": "assistant", "content": [{"text": EMAIL}, block]}
    before = json.dumps(message)
    filtered = ContentPolicy(redact_common).message(message)
    assert json.dumps(message) == before
    assert filtered["content"][1]["toolUse"]["input"] == {"q": "[EMAIL]"}


def test_state_records_keep_their_identifiers() -> None:
    """Graph/Swarm checkpoints and agent records: node ids and statuses go through untouched,
    the task, results, shared context and state values are filtered."""
    state = {
        "type": "swarm",
        "id": "team",
        "status": "executing",
        "node_history": ["EMAIL_node"],
        "next_nodes_to_execute": ["writer"],
        "current_task": [{"text": "about x"}],
        "node_results": {
            "writer": {"result": {"message": {"role": "assistant", "content": [{"text": "y"}]}}}
        },
        "context": {"shared_context": {"writer": {"id": "z"}}, "handoff_message": "h"},
    }
    out = ContentPolicy(_upper).multi_agent_record(state)
    assert out["type"] == "swarm" and out["id"] == "team" and out["status"] == "executing"
    assert out["node_history"] == ["EMAIL_node"] and out["next_nodes_to_execute"] == ["writer"]
    assert out["current_task"] == [{"text": "ABOUT X"}]
    message = out["node_results"]["writer"]["result"]["message"]
    assert message == {"role": "assistant", "content": [{"text": "Y"}]}
    assert out["context"] == {"shared_context": {"writer": {"id": "Z"}}, "handoff_message": "H"}
    agent = {"agent_id": "a", "state": {"id": "x"}, "conversation_manager_state": {"k": "v"}}
    assert ContentPolicy(_upper).agent_record(agent) == {
        "agent_id": "a",
        "state": {"id": "X"},  # the user's state: every value is content
        "conversation_manager_state": {"k": "V"},
    }


def test_reasoning_keeps_its_signature() -> None:
    block: Any = {"reasoningContent": {"reasoningText": {"text": EMAIL, "signature": "sig"}}}
    message: Any = {"role": "assistant", "content": [block]}
    out = ContentPolicy(redact_common).message(message)
    assert out["content"][0] == {
        "reasoningContent": {"reasoningText": {"text": "[EMAIL]", "signature": "sig"}}
    }


def test_the_store_refuses_a_filter_that_is_not_callable(memory_id: str) -> None:
    with pytest.raises(ValueError, match="content_filter must be a callable"):
        AgentCoreMemoryStore(
            memory_id=memory_id,
            actor_id=ACTOR,
            session_id=SESSION,
            namespace="/facts/{actorId}",
            endpoint_url="http://127.0.0.1:9",
            content_filter="redact",  # type: ignore[arg-type]
        )
