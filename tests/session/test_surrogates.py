"""Text that UTF-8 cannot hold (lone surrogates) is stored and restored exactly as given.

A file name from ``os.listdir`` on a badly encoded directory holds lone surrogates, e.g.
``'\\udcff'``. Strands passes it on as a string; a turn must not fail because of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from strands import Agent, tool
from strands.session import FileSessionManager
from strands.types.session import SessionMessage

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall
from agentcore_memory_otel.wire.codec import decode_event
from agentcore_memory_otel.wire.encoding import encode_message

from .conftest import ManagerFactory, no_trim, stored_events
from .restore_child import normalise, snapshot

NAME = "report-\udcff-\ud800.txt"  # lone surrogates, as os.listdir gives undecodable bytes


@tool(context=True)
def list_files(tool_context: Any) -> str:
    """List the files, noting the first in the agent state."""
    tool_context.agent.state.set("first", NAME)
    return NAME


def _agent(manager: Any, script: list[Any]) -> Agent:
    return Agent(
        model=ScriptedModel(script),
        tools=[list_files],
        session_manager=manager,
        conversation_manager=no_trim(),
        callback_handler=None,
    )


def test_a_lone_surrogate_does_not_fail_the_turn_and_restores_exactly(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = _agent(make_manager(), [ToolCall("list_files"), f"found {NAME}"])
    agent(f"list {NAME}")
    resumed = _agent(make_manager(), [])
    assert normalise(snapshot(resumed)) == normalise(snapshot(agent))
    assert resumed.state.get("first") == NAME
    assert resumed.messages[-1]["content"][0]["text"] == f"found {NAME}"
    # What went over the wire is valid UTF-8: the server stored it and reads it back.
    assert all(json.dumps(e, default=str).encode() for e in stored_events(server, memory_id))


def test_strands_file_manager_cannot_store_it(tmp_path: Path) -> None:
    """Why ours differs: Strands' own manager fails the turn on the same text."""
    agent = _agent(FileSessionManager(session_id="s", storage_dir=str(tmp_path)), ["ok"])
    with pytest.raises(UnicodeEncodeError):
        agent(f"list {NAME}")


@pytest.mark.parametrize(
    "text",
    ["\udcff", "\ud800", "a\udfffb", "\\\udcff", "\ud83d\ude00 ok", "é😀\u0000", "\\udcff"],
)
def test_the_encoding_round_trips(text: str) -> None:
    message: Any = {"role": "user", "content": [{"text": text}]}
    item = encode_message(SessionMessage(message, 0), "default")
    json.dumps(item, ensure_ascii=False).encode()  # valid UTF-8 all the way
    (decoded,) = decode_event({"eventId": "e", "payload": [item]})
    back = decoded.session_message.message["content"][0]["text"]  # type: ignore[union-attr]
    # A high surrogate followed by a low one reads back as the character the pair encodes.
    assert back == text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
