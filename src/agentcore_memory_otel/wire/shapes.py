"""What a decoded message or agent record must hold before a restore may use it.

Events can be written by anyone with access to the memory, so a payload item that parses as
JSON may still hold nonsense: a message without content, a toolUse block that is a string, an
agent state that is a number. The restore, Strands' history repair and the conversation
managers index into these without checking, so each decoded value is checked here first, and
one that fails raises ``ValueError`` so that the decoder skips it (see ``codec.decode_event``).

The checks cover what the restore path reads, not every field Strands defines: content blocks
other than text, toolUse and toolResult pass as they are, as any dict.
"""

from __future__ import annotations

import json
from typing import Any

from strands.interrupt import _InterruptState
from strands.types.session import SessionAgent, SessionMessage

_ROLES = ("user", "assistant")


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_message(message: Any) -> None:
    """Raise ``ValueError`` unless ``message`` is a Strands message the restore can hold."""
    _require(isinstance(message, dict), "a message is not an object")
    _require(message.get("role") in _ROLES, "a message's role is not user or assistant")
    content = message.get("content")
    _require(isinstance(content, list), "a message's content is not a list")
    for block in content:
        _check_block(block)


def _check_block(block: Any) -> None:
    """A content block (or a toolResult's content item): the fields Strands reads typed."""
    _require(isinstance(block, dict), "a content block is not an object")
    if "text" in block:
        _require(isinstance(block["text"], str), "a text block is not a string")
    for kind in ("toolUse", "toolResult"):
        if kind in block:
            body = block[kind]
            _require(isinstance(body, dict), f"a {kind} block is not an object")
            _require(isinstance(body.get("toolUseId"), str), f"a {kind} has no toolUseId")
    if "toolUse" in block:
        # The conversation managers match tool names when they trim or summarize.
        _require(isinstance(block["toolUse"].get("name"), str), "a toolUse has no name")
    if "toolResult" in block:
        results = block["toolResult"].get("content", [])
        _require(isinstance(results, list), "a toolResult's content is not a list")
        for item in results:  # the sliding window reads these when it truncates results
            _require(isinstance(item, dict), "a toolResult's content item is not an object")
            if "text" in item:
                _require(isinstance(item["text"], str), "a toolResult's text is not a string")


def check_session_message(session_message: SessionMessage) -> None:
    """Raise ``ValueError`` unless the message and any redacted version of it are sound."""
    check_message(session_message.message)
    if session_message.redact_message is not None:
        check_message(session_message.redact_message)


def check_agent(session_agent: SessionAgent) -> None:
    """Raise ``ValueError`` unless an agent record can be put back into an agent.

    A conversation-manager state that belongs to another kind of manager still passes: Strands
    reports that mismatch itself when the agent is restored, as with its own managers.
    """
    _require(isinstance(session_agent.agent_id, str), "an agent record's agent_id is no string")
    _require(isinstance(session_agent.state, dict), "an agent record's state is not an object")
    try:  # what AgentState accepts: JSON (the stored JSON may name bytes, which it refuses)
        json.dumps(session_agent.state)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"an agent record's state is not JSON: {exc}") from exc
    window = session_agent.conversation_manager_state
    _require(isinstance(window, dict), "a conversation manager state is not an object")
    if "removed_message_count" in window:
        _require(_is_count(window["removed_message_count"]), "removed_message_count is no count")
    if window.get("summary_message") is not None:
        check_message(window["summary_message"])
    internal = session_agent._internal_state
    _require(isinstance(internal, dict), "an agent record's internal state is not an object")
    if "interrupt_state" in internal:
        try:
            interrupts = _InterruptState.from_dict(internal["interrupt_state"])
        except Exception as exc:  # any failure means Strands could not restore it either
            raise ValueError(f"an interrupt state does not restore: {exc!r}") from exc
        _check_pending(interrupts)


def _check_pending(interrupts: _InterruptState) -> None:
    """The tool execution an interrupt answer resumes: Strands runs it without checking it."""
    pending = interrupts.pending_tool_execution
    if pending is None:
        return
    check_message(pending.assistant_message)
    results = pending.completed_tool_results
    _require(isinstance(results, list), "a pending tool execution's results are not a list")
    for result in results:
        check_message({"role": "user", "content": [{"toolResult": result}]})


def check_message_id(value: Any) -> int:
    """A stored message id: a count."""
    _require(_is_count(value), "a message id is not a count")
    return int(value)
