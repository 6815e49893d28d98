"""Restored history stays valid Converse history; tool-context filtering; redaction."""

from __future__ import annotations

from typing import Any

from strands.types.content import Message

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.read.history import (
    INTERRUPTED_TOOL_TEXT,
    fix_broken_tool_use,
    strip_tool_context,
)
from agentcore_memory_otel.testing import ToolCall

from .conftest import ManagerFactory, make_agent, no_trim, stored_events


def _use(tool_id: str) -> dict[str, Any]:
    return {"toolUse": {"toolUseId": tool_id, "name": "add", "input": {}}}


def _result(tool_id: str) -> dict[str, Any]:
    return {"toolResult": {"toolUseId": tool_id, "status": "success", "content": [{"text": "3"}]}}


def _valid(messages: list[Message]) -> bool:
    """Whether tool use is paired as Strands' restore leaves it.

    Every toolUse but a trailing one is answered in the next message, every toolResult answers
    the message before, and no message is empty. Two messages of one role in a row are valid:
    Strands' own managers restore them so (a prompt whose turn never finished).
    """
    for index, message in enumerate(messages):
        if not message["content"]:
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


def test_strip_tool_context_drops_tool_blocks_and_emptied_messages() -> None:
    # As the SDK's filter: nothing is merged, so the messages keep their roles and order.
    assert strip_tool_context(CONVERSATION) == [
        {"role": "user", "content": [{"text": "add 1 and 2"}]},
        {"role": "assistant", "content": [{"text": "Let me add."}]},
        {"role": "assistant", "content": [{"text": "It is 3."}]},
    ]


def _interrupted(tool_id: str) -> dict[str, Any]:
    return {
        "toolResult": {
            "toolUseId": tool_id,
            "status": "error",
            "content": [{"text": INTERRUPTED_TOOL_TEXT}],
        }
    }


def test_fix_broken_tool_use_repairs_as_strands_does() -> None:
    # A window that starts with an orphan result: the emptied message goes.
    assert fix_broken_tool_use(CONVERSATION[2:]) == CONVERSATION[3:]
    assert fix_broken_tool_use(CONVERSATION) == CONVERSATION
    prompt: Any = {"role": "user", "content": [{"text": "next"}]}
    # An unanswered toolUse before a prompt: a result message is inserted, the prompt stays.
    repaired = fix_broken_tool_use([CONVERSATION[0], CONVERSATION[1], prompt])
    assert [m["content"] for m in repaired] == [
        CONVERSATION[0]["content"],
        CONVERSATION[1]["content"],
        [_interrupted("t1")],
        prompt["content"],
    ]
    # Results for other ids are dropped, missing ones filled, other blocks kept after them.
    mixed: Any = {"role": "user", "content": [{"text": "note"}, _result("t9")]}
    repaired = fix_broken_tool_use([CONVERSATION[0], CONVERSATION[1], mixed, CONVERSATION[5]])
    assert repaired[2]["content"] == [_interrupted("t1"), {"text": "note"}]
    # The last message is left to the agent: a trailing toolUse (an interrupt) stays as it is.
    assert fix_broken_tool_use(CONVERSATION[:2]) == CONVERSATION[:2]
    # A finished structured-output turn ends on a toolResult: nothing to add.
    assert fix_broken_tool_use(CONVERSATION[:3]) == CONVERSATION[:3]


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
    assert not any(
        "toolUse" in b or "toolResult" in b for m in filtered.messages for b in m["content"]
    )
    # As the SDK's filter: the two assistant messages around the tool call stay apart.
    assert [m["content"][0]["text"] for m in filtered.messages] == [
        "add 1 and 2",
        "It is 3.",
        "thanks",
        "Bye.",
    ]


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
    # The prompt has no reply; as with Strands' own managers, the agent gets it as stored.
    assert [m["content"][0]["text"] for m in resumed.messages] == ["[redacted]"]
