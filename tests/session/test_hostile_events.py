"""Hostile or malformed events never stop a session from opening.

Anyone with access to the memory can write an event. One that does not decode as this
package's or the SDK's format is skipped with one warning naming its eventId, and the rest of
the session restores. Known bad shapes first, then a seeded fuzz of the decoder and the restore.
"""

from __future__ import annotations

import copy
import json
import logging
import random
from typing import Any

import pytest
from strands import Agent
from strands.agent.conversation_manager import SlidingWindowConversationManager
from strands.types.session import SessionAgent, SessionMessage

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.codec import decode_event
from agentcore_memory_otel.wire.encoding import encode_agent, encode_message, with_next_message_id

from .conftest import ACTOR, SESSION, ManagerFactory, make_agent, no_trim

DEEP = "[" * 5000 + "]" * 5000


def _message_text(message: Any, message_id: int = 5) -> str:
    body = {"message": message, "message_id": message_id, "agent_id": "default"}
    return json.dumps(body)


def _result(content: Any) -> dict[str, Any]:
    """A user message with one toolResult holding ``content``."""
    result = {"toolUseId": "t", "status": "success", "content": content}
    return {"role": "user", "content": [{"toolResult": result}]}


def _pending(assistant_message: Any, results: Any) -> dict[str, Any]:
    """An activated interrupt state whose pending tool execution is ``assistant_message``."""
    waiting = {"id": "i1", "name": "approve", "reason": None, "response": None}
    return {
        "activated": True,
        "context": {},
        "interrupts": {"i1": waiting},
        "pending_tool_execution": {
            "assistant_message": assistant_message,
            "completed_tool_results": results,
        },
    }


HOSTILE: dict[str, dict[str, Any]] = {
    "deep blob": {"blob": DEEP},
    "deep message": {
        "conversational": {
            "role": "USER",
            "content": {
                "text": '{"agent_id": "default", "message_id": 5, "message": ' + DEEP + "}"
            },
        }
    },
    "message without content": {
        "conversational": {"role": "USER", "content": {"text": _message_text({})}}
    },
    "toolUse that is a string": {
        "conversational": {
            "role": "ASSISTANT",
            "content": {
                "text": _message_text({"role": "assistant", "content": [{"toolUse": "x"}]})
            },
        }
    },
    # Each of these passes a restore but fails every later turn whose context overflows: the
    # conversation managers read tool names and toolResult content when they trim or summarize.
    "toolUse whose name is a number": {
        "conversational": {
            "role": "ASSISTANT",
            "content": {
                "text": _message_text(
                    {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": 5}}]}
                )
            },
        }
    },
    "toolResult content that is not blocks": {
        "conversational": {"role": "USER", "content": {"text": _message_text(_result([5, "x"]))}}
    },
    "toolResult text that is a number": {
        "conversational": {
            "role": "USER",
            "content": {"text": _message_text(_result([{"text": 5}]))},
        }
    },
    "agent state that is a number": {
        "blob": json.dumps(
            {
                "agent_id": "default",
                "state": 5,
                "conversation_manager_state": {},
                "next_message_id": 9,
            }
        )
    },
    "agent state naming bytes": {
        "blob": json.dumps(
            {
                "agent_id": "default",
                "state": {"b": {"__bytes_encoded__": True, "data": "aGk="}},
                "conversation_manager_state": {},
            }
        )
    },
    "interrupt state that is a list": {
        "blob": json.dumps(
            {
                "agent_id": "default",
                "state": {},
                "conversation_manager_state": {},
                "_internal_state": {"interrupt_state": [1]},
            }
        )
    },
    "pending tool execution that is not a message": {
        "blob": json.dumps(
            {
                "agent_id": "default",
                "state": {},
                "conversation_manager_state": {},
                "_internal_state": {"interrupt_state": _pending("x", [])},
            }
        )
    },
    "pending tool execution holding a toolUse string": {
        "blob": json.dumps(
            {
                "agent_id": "default",
                "state": {},
                "conversation_manager_state": {},
                "_internal_state": {
                    "interrupt_state": _pending(
                        {"role": "assistant", "content": [{"toolUse": "x"}]}, []
                    )
                },
            }
        )
    },
    "pending tool execution with results that are not results": {
        "blob": json.dumps(
            {
                "agent_id": "default",
                "state": {},
                "conversation_manager_state": {},
                "_internal_state": {
                    "interrupt_state": _pending({"role": "assistant", "content": []}, [5])
                },
            }
        )
    },
    "role the API allows but Strands has not": {
        "conversational": {
            "role": "OTHER",
            "content": {"text": _message_text({"role": "system", "content": []})},
        }
    },
    "part that never ends": {
        "blob": json.dumps({"group": "g", "part": 3, "parts": 2, "role": "USER", "text": "x"})
    },
}


def _write(server: LocalMemoryServer, memory_id: str, items: list[Any], stamp: float) -> str:
    created = server.client().create_event(
        memoryId=memory_id,
        actorId=ACTOR,
        sessionId=SESSION,
        eventTimestamp=stamp,
        payload=items,
    )
    return str(created["event"]["eventId"])


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_event_is_skipped_and_the_rest_restores(
    name: str,
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    agent = make_agent(make_manager(), ["one", "two"], conversation_manager=no_trim())
    agent("first")
    event_id = _write(server, memory_id, [HOSTILE[name]], stamp=4_000_000_000)
    with caplog.at_level(logging.WARNING):
        resumed = make_agent(make_manager(), ["two"], conversation_manager=no_trim())
    assert [m["content"][0]["text"] for m in resumed.messages] == ["first", "one"]
    warnings = [r.getMessage() for r in caplog.records if event_id in r.getMessage()]
    assert len(warnings) == 1, warnings
    resumed("second")  # the session keeps working


# --- fuzz --------------------------------------------------------------------------------


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["int", "str", "none", "bool", "float", "list", "dict"] if depth < 6 else ["int", "str"]
    kind = rng.choice(kinds)
    if kind == "int":
        return rng.choice([0, -1, 5, 2**63, -(2**70)])
    if kind == "str":
        return rng.choice(["", "x", "user", "assistant", "\u0000", "é" * 50, "toolUse"])
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "float":
        return rng.choice([0.5, float("1e308")])
    if kind == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {
        rng.choice(
            ["role", "content", "text", "toolUse", "toolResult", "toolUseId", "message"]
        ): _random_value(rng, depth + 1)
        for _ in range(rng.randint(0, 3))
    }


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


def _mutate(rng: random.Random, body: Any) -> Any:
    """``body`` with one value replaced by a random one (or deleted, or deeply nested)."""
    body = copy.deepcopy(body)
    path = rng.choice(_paths(body)[1:])
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    roll = rng.random()
    if roll < 0.15 and isinstance(parent, dict):
        del parent[path[-1]]
    elif roll < 0.2:
        nested: Any = 1
        for _ in range(rng.choice([10, 400])):
            nested = [nested]
        parent[path[-1]] = nested
    else:
        parent[path[-1]] = _random_value(rng)
    return body


def _valid_items() -> list[tuple[str, Any]]:
    """(kind, JSON body) of items this package writes: messages with tools, an agent record."""
    use = {"toolUse": {"toolUseId": "t1", "name": "add", "input": {"a": 1}}}
    result = {"toolResult": {"toolUseId": "t1", "status": "success", "content": [{"text": "3"}]}}
    messages: list[Any] = [
        {"role": "user", "content": [{"text": "hi"}]},
        {"role": "assistant", "content": [{"text": "adding"}, use]},
        {"role": "user", "content": [result]},
    ]
    items: list[tuple[str, Any]] = []
    for index, message in enumerate(messages):
        item = encode_message(SessionMessage(message, index), "default")
        items.append(("message", json.loads(item["conversational"]["content"]["text"])))
    agent_item = encode_agent(
        SessionAgent(
            agent_id="default",
            state={"k": 1},
            conversation_manager_state={
                "__name__": "SlidingWindowConversationManager",
                "removed_message_count": 0,
            },
        )
    )
    items.append(("agent", json.loads(with_next_message_id(agent_item, 3)["blob"])))
    return items


def _item(kind: str, body: Any) -> dict[str, Any]:
    text = json.dumps(body)
    if kind == "message":
        return {"conversational": {"role": "USER", "content": {"text": text}}}
    return {"blob": text}


def test_fuzzed_items_never_make_the_decoder_raise() -> None:
    rng = random.Random(20)
    valid = _valid_items()
    for _ in range(3000):
        kind, body = rng.choice(valid)
        if rng.random() < 0.1:
            item: Any = _random_value(rng)  # not even an item
        elif rng.random() < 0.1:
            item = {"blob": _random_value(rng)}
        else:
            item = _item(kind, _mutate(rng, body))
        decode_event({"eventId": "e", "payload": [item]})


@pytest.mark.parametrize(
    ("seed", "cases"),
    [(21, 8), pytest.param(22, 150, marks=pytest.mark.slow)],
    ids=["quick", "long"],
)
def test_fuzzed_events_never_stop_a_restore(
    server: LocalMemoryServer, memory_id: str, seed: int, cases: int
) -> None:
    """Each case: a valid conversation with one mutated item among it, restored by an agent."""
    rng = random.Random(seed)
    valid = _valid_items()
    client = server.client()
    for case in range(cases):
        session = f"fuzz-{seed}-{case}"
        bad = rng.randrange(len(valid))
        for position, (kind, body) in enumerate(valid):
            chosen = _mutate(rng, body) if position == bad else body
            client.create_event(
                memoryId=memory_id,
                actorId=ACTOR,
                sessionId=session,
                eventTimestamp=1_700_000_000 + position,
                payload=[_item(kind, chosen)],
            )
        manager = AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(
                memory_id=memory_id, session_id=session, actor_id=ACTOR, trace_metadata=False
            ),
            endpoint_url=server.endpoint_url,
        )
        agent = Agent(
            session_manager=manager,
            conversation_manager=SlidingWindowConversationManager(window_size=2),
            callback_handler=None,
        )
        # Whatever the mutation did, the restore finished and the history is usable.
        assert all(isinstance(m["content"], list) for m in agent.messages)
        manager.close()


def test_a_conversation_manager_state_strands_cannot_restore_starts_it_afresh(
    make_manager: ManagerFactory, caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    """Strands raises when the stored window belongs to another kind of manager; ours opens."""
    from strands.agent.conversation_manager import SummarizingConversationManager
    from strands.session import FileSessionManager

    def build(manager: Any, conversation_manager: Any, script: list[str]) -> Agent:
        return make_agent(manager, script, conversation_manager=conversation_manager)

    window = SlidingWindowConversationManager(window_size=2, should_truncate_results=False)
    agent = build(make_manager(), window, ["one", "two", "three"])
    for prompt in ("first", "second", "third"):
        agent(prompt)  # the window trims, and the record says so
    same_kind = build(make_manager(), SlidingWindowConversationManager(window_size=2), [])
    assert same_kind.conversation_manager.removed_message_count > 0
    with caplog.at_level(logging.WARNING):
        resumed = build(make_manager(), SummarizingConversationManager(), ["four"])
    # The messages the stored window kept, under a manager that starts afresh.
    assert resumed.messages == same_kind.messages
    assert resumed.conversation_manager.removed_message_count == 0
    assert "conversation manager state not restored" in caplog.text
    resumed("fourth")
    # The reference: the same switch with Strands' own manager cannot open the session.
    file_dir = str(tmp_path)
    window = SlidingWindowConversationManager(window_size=2, should_truncate_results=False)
    reference = build(FileSessionManager(session_id="s", storage_dir=file_dir), window, ["1", "2"])
    reference("first")
    reference("second")
    with pytest.raises(ValueError, match="Invalid conversation manager state"):
        build(
            FileSessionManager(session_id="s", storage_dir=file_dir),
            SummarizingConversationManager(),
            [],
        )
