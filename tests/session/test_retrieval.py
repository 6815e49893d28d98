"""Long-term memory retrieval and injection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore_memory_otel import RetrievalConfig
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import seed_records
from .conftest import ACTOR, SESSION, ManagerFactory, make_agent, stored_events


class Recorder:
    """A scripted reply that records what the model was shown."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def __call__(self, messages: list[Any]) -> str:
        self.seen.append(json.loads(json.dumps(messages[-1])))
        return "ok"


def test_context_is_injected_before_the_user_text(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    seed_records(
        server,
        memory_id,
        f"/users/{ACTOR}/facts",
        "The user likes green tea",
        "The user owns a bicycle",
    )
    seed_records(server, memory_id, f"/sessions/{SESSION}/summary", "They talked about tea before")
    seed_records(server, memory_id, "/users/someone-else/facts", "green tea hater")
    manager = make_manager(
        retrieval_config={
            "/users/{actorId}/facts": RetrievalConfig(top_k=5, relevance_score=0.1),
            "/sessions/{sessionId}/summary": RetrievalConfig(relevance_score=0.05),
        }
    )
    recorder = Recorder()
    agent = make_agent(manager, recorder)
    server.stats.reset()
    agent("Which tea should I buy?")
    assert server.stats.count("RetrieveMemoryRecords") == 2
    shown = recorder.seen[0]["content"]
    assert shown[-1] == {"text": "Which tea should I buy?"}
    context = shown[0]["text"]
    assert context.startswith("<user_context>") and context.endswith("</user_context>")
    assert "The user likes green tea" in context
    assert "They talked about tea before" in context
    assert "bicycle" not in context  # below relevance_score
    assert "hater" not in context  # another actor's namespace
    # The stored user message is what the user said, without the injected context.
    first = json.loads(
        stored_events(server, memory_id)[0]["payload"][0]["conversational"]["content"]["text"]
    )
    assert first["message"]["content"] == [{"text": "Which tea should I buy?"}]


def test_a_failing_namespace_does_not_fail_the_turn(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    seed_records(server, memory_id, "/facts", "The user likes green tea")
    manager = make_manager(
        context_tag="memories",
        retrieval_config={
            "/facts": RetrievalConfig(relevance_score=0.0),
            "bad namespace {actorId}": RetrievalConfig(),
        },
    )
    recorder = Recorder()
    agent = make_agent(manager, recorder)
    server.faults.fail_next("RetrieveMemoryRecords", 1, status=500, after=0)
    agent("tea?")
    assert recorder.seen  # the turn ran
    agent_two = make_agent(
        make_manager(
            session_id="other",
            context_tag="memories",
            retrieval_config={"/facts": RetrievalConfig(relevance_score=0.0)},
        ),
        Recorder(),
    )
    agent_two("tea?")
    shown = agent_two.messages[0]["content"][0]["text"]
    assert shown.startswith("<memories>") and "green tea" in shown


def test_tool_results_do_not_trigger_retrieval(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    from agentcore_memory_otel.testing import ToolCall

    manager = make_manager(retrieval_config={"/facts": RetrievalConfig()})
    agent = make_agent(manager, [ToolCall("add", {"a": 1, "b": 1}), "2"])
    server.stats.reset()
    agent("add")
    assert server.stats.count("RetrieveMemoryRecords") == 1


def test_persistence_none_writes_nothing_but_still_retrieves(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    seed_records(server, memory_id, "/facts", "The user likes green tea")
    manager = make_manager(
        persistence_mode="NONE", retrieval_config={"/facts": RetrievalConfig(relevance_score=0.0)}
    )
    agent = make_agent(manager, ["a", "b"])
    server.stats.reset()
    agent("tea?")
    agent("more tea?")
    manager.close()
    assert server.stats.count("CreateEvent") == 0
    assert server.stats.count("RetrieveMemoryRecords") == 2
    # Only the newest user message carries the context.
    assert agent.messages[0]["content"] == [{"text": "tea?"}]
    assert "green tea" in agent.messages[2]["content"][0]["text"]
    assert stored_events(server, memory_id) == []


def _context_blocks(messages: list[Any], tag: str = "user_context") -> int:
    return sum(
        1
        for message in messages
        for block in message["content"]
        if block.get("text", "").startswith(f"<{tag}>")
    )


def _stored_messages(server: LocalMemoryServer, memory_id: str) -> list[Any]:
    return [
        json.loads(item["conversational"]["content"]["text"])["message"]
        for event in stored_events(server, memory_id)
        for item in event["payload"]
        if "conversational" in item
    ]


@pytest.mark.parametrize("batch_size", [1, 10])
def test_injected_context_does_not_pile_up(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory, batch_size: int
) -> None:
    seed_records(
        server, memory_id, "/facts", "The user likes green tea", "The user drinks tea daily"
    )
    retrieval = {"/facts": RetrievalConfig(relevance_score=0.0)}
    recorder = Recorder()
    agent = make_agent(make_manager(retrieval_config=retrieval, batch_size=batch_size), recorder)
    for turn in range(5):
        agent(f"tea question {turn}?")
        # What the model was shown this turn carries the context.
        assert recorder.seen[-1]["content"][0]["text"].startswith("<user_context>")
    assert len(agent.messages) == 10
    assert _context_blocks(agent.messages) == 1
    newest = agent.messages[8]["content"]
    assert newest[0]["text"].startswith("<user_context>")
    assert newest[1:] == [{"text": "tea question 4?"}]
    for earlier in (0, 2, 4, 6):
        assert agent.messages[earlier]["content"] == [{"text": f"tea question {earlier // 2}?"}]

    stored = _stored_messages(server, memory_id)
    assert len(stored) == 10 and _context_blocks(stored) == 0

    restored_manager = make_manager(retrieval_config=retrieval)
    restored = make_agent(restored_manager, ["fine"])
    assert len(restored.messages) == 10 and _context_blocks(restored.messages) == 0
    restored("tea question 5?")
    assert _context_blocks(restored.messages) == 1
    assert restored.messages[10]["content"][0]["text"].startswith("<user_context>")


def test_tool_results_keep_the_turns_context(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    from agentcore_memory_otel.testing import ToolCall

    seed_records(server, memory_id, "/facts", "The user likes green tea")
    recorder_calls: list[Any] = []

    def script(messages: list[Any]) -> Any:
        recorder_calls.append(json.loads(json.dumps(messages)))
        return ToolCall("add", {"a": 1, "b": 1}) if len(recorder_calls) == 1 else "2"

    manager = make_manager(retrieval_config={"/facts": RetrievalConfig(relevance_score=0.0)})
    agent = make_agent(manager, script)
    agent("tea sum?")
    # The second model call (after the tool result) still sees the turn's context.
    assert _context_blocks(recorder_calls[1]) == 1
    assert recorder_calls[1][0]["content"][0]["text"].startswith("<user_context>")


def test_initialization_query_drives_the_first_retrieval_only(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    seed_records(server, memory_id, f"/users/{ACTOR}/prefs", "The user prefers window seats")
    manager = make_manager(
        retrieval_config={
            "/users/{actorId}/prefs": RetrievalConfig(
                relevance_score=0.1, initialization_query="seat preferences"
            )
        }
    )
    recorder = Recorder()
    agent = make_agent(manager, recorder)
    agent("Book me a flight to Lisbon")
    # The opening turn searched with the initialization query, so the preference came along
    # although the user's words share nothing with it.
    assert "window seats" in recorder.seen[0]["content"][0]["text"]
    agent("Book me a flight to Lisbon")
    # Later turns search with the user's words, which find nothing relevant.
    assert recorder.seen[1]["content"] == [{"text": "Book me a flight to Lisbon"}]
