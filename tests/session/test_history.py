"""Restored history stays valid Converse history; tool-context filtering; redaction."""

from __future__ import annotations

from typing import Any

from strands.types.content import Message

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.persistence.history import (
    INTERRUPTED_TURN_TEXT,
    make_valid,
    strip_tool_context,
)
from agentcore_memory_otel.testing import ToolCall

from .conftest import ManagerFactory, make_agent, no_trim, stored_events


def _use(tool_id: str) -> dict[str, Any]:
    return {"toolUse": {"toolUseId": tool_id, "name": "add", "input": {}}}


def _result(tool_id: str) -> dict[str, Any]:
    return {"toolResult": {"toolUseId": tool_id, "status": "success", "content": [{"text": "3"}]}}


def _valid(messages: list[Message]) -> bool:
    for index, message in enumerate(messages):
        if not message["content"]:
            return False
        if index and messages[index - 1]["role"] == message["role"]:
            return False
        results = {b["toolResult"]["toolUseId"] for b in message["content"] if "toolResult" in b}
        if index + 1 < len(messages) or results:
            uses = {b["toolUse"]["toolUseId"] for b in message["content"] if "toolUse" in b}
            nxt = messages[index + 1] if index + 1 < len(messages) else None
            answered = (
                {b["toolResult"]["toolUseId"] for b in nxt["content"] if "toolResult" in b}
                if nxt
                else uses
            )
            if not uses <= answered:
                return False
            prev = messages[index - 1] if index else None
            prev_uses = (
                {b["toolUse"]["toolUseId"] for b in prev["content"] if "toolUse" in b}
                if prev
                else set()
            )
            if not results <= prev_uses:
                return False
    return True


CONVERSATION: list[Any] = [
    {"role": "user", "content": [{"text": "add 1 and 2"}]},
    {"role": "assistant", "content": [{"text": "Let me add."}, _use("t1")]},
    {"role": "user", "content": [_result("t1")]},
    {"role": "assistant", "content": [_use("t2")]},
    {"role": "user", "content": [_result("t2")]},
    {"role": "assistant", "content": [{"text": "It is 3."}]},
]


def test_strip_tool_context_leaves_valid_history() -> None:
    stripped = strip_tool_context(CONVERSATION)
    assert stripped == [
        {"role": "user", "content": [{"text": "add 1 and 2"}]},
        {"role": "assistant", "content": [{"text": "Let me add."}, {"text": "It is 3."}]},
    ]
    assert _valid(stripped)


def test_make_valid_drops_orphans_at_the_window_edges() -> None:
    cut = CONVERSATION[2:5]  # starts with an orphan result, ends with ... a result
    repaired = make_valid(cut)
    assert _valid(repaired)
    assert repaired[0]["role"] == "assistant"
    orphan_use = [
        CONVERSATION[0],
        {"role": "assistant", "content": [_use("t9")]},
        {"role": "user", "content": [{"text": "never answered"}]},
    ]
    # The unanswered toolUse goes; the two user messages left side by side are merged.
    assert make_valid(orphan_use) == [
        {"role": "user", "content": [{"text": "add 1 and 2"}, {"text": "never answered"}]}
    ]
    assert make_valid(CONVERSATION) == CONVERSATION


def test_filter_restored_tool_context(make_manager: ManagerFactory) -> None:
    agent = make_agent(
        make_manager(),
        [ToolCall("add", {"a": 1, "b": 2}), "It is 3.", "Bye."],
        conversation_manager=no_trim(),
    )
    agent("add 1 and 2")
    agent("thanks")
    plain = make_agent(make_manager(), conversation_manager=no_trim())
    assert any("toolUse" in b for m in plain.messages for b in m["content"])
    filtered = make_agent(
        make_manager(filter_restored_tool_context=True),
        conversation_manager=no_trim(),
        agent_id="default",
    )
    assert _valid(filtered.messages)
    assert not any(
        "toolUse" in b or "toolResult" in b for m in filtered.messages for b in m["content"]
    )
    assert [m["role"] for m in filtered.messages] == ["user", "assistant", "user", "assistant"]


def test_redaction_supersedes_the_stored_message(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager()
    agent = make_agent(manager, ["ok"], conversation_manager=no_trim())
    agent("my card is 4111 1111 1111 1111")
    manager.redact_latest_message({"role": "assistant", "content": [{"text": "[redacted]"}]}, agent)
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    assert [m["content"][0]["text"] for m in resumed.messages] == [
        "my card is 4111 1111 1111 1111",
        "[redacted]",
    ]
    # The original's event is deleted once the rewrite is stored.
    events = stored_events(server, memory_id)
    assert len(events) == 2
    assert not any('"text":"ok"' in str(event["payload"]) for event in events)
    assert any('"text":"[redacted]"' in str(event["payload"]) for event in events)


def test_redacting_a_buffered_message(make_manager: ManagerFactory) -> None:
    manager = make_manager(batch_size=10)
    agent = make_agent(manager, [])
    manager.append_message({"role": "user", "content": [{"text": "secret"}]}, agent)
    manager.redact_latest_message({"role": "user", "content": [{"text": "[redacted]"}]}, agent)
    manager.close()
    resumed = make_agent(make_manager())
    # The prompt has no reply, so the restore closes the turn after it.
    assert [m["content"][0]["text"] for m in resumed.messages] == [
        "[redacted]",
        INTERRUPTED_TURN_TEXT,
    ]
