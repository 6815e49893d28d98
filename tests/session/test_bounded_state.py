"""The session manager's own memory stays bounded over a long session (counted, not weighed).

A long-running agent process must not keep anything per message beyond what the conversation
window needs. These tests walk everything the manager references through this package's own
objects (Strands' agent and messages, boto3 and OpenTelemetry are not walked) and count the
entries of every container found, after a few hundred turns and after a few thousand.
"""

from __future__ import annotations

from collections import Counter, deque
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from strands.agent.conversation_manager import SlidingWindowConversationManager
from strands.types.content import Message
from strands.types.session import SessionMessage

from agentcore_memory_otel import AgentCoreMemorySessionManager
from agentcore_memory_otel.session.agents import _FORGET_SLACK, AgentTrack

from .conftest import ManagerFactory, make_agent

_PACKAGE = "agentcore_memory_otel"
_WINDOW = 20
_REQUEST = "PlannedEvent.request["


def container_entries(root: object) -> Counter[str]:
    """Entries of every container reachable from ``root`` through this package's objects.

    Keyed by where the container hangs (``Class.attribute`` and ``[]`` per level).
    """
    counts: Counter[str] = Counter()
    seen: set[int] = set()
    stack: list[tuple[object, str]] = [(root, type(root).__name__)]
    while stack:
        obj, path = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, dict):
            counts[path] += len(obj)
            stack += [(v, path + "[]") for v in (*obj.keys(), *obj.values())]
        elif isinstance(obj, list | tuple | set | frozenset | deque):
            counts[path] += len(obj)
            stack += [(v, path + "[]") for v in obj]
        elif type(obj).__module__.startswith(_PACKAGE):
            attrs: dict[str, Any] = dict(getattr(obj, "__dict__", {}))
            for slot in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, slot):
                    attrs[slot] = getattr(obj, slot)
            stack += [(v, f"{type(obj).__name__}.{k}") for k, v in attrs.items()]
    return counts


_TRACER = TracerProvider().get_tracer("bounded-state")


def _turns(agent: Any, start: int, stop: int) -> None:
    # Each turn in a recording span, as under a tracing setup: the manager then also notes
    # which trace produced each message (trace_id_of), and that must stay bounded too.
    for turn in range(start, stop):
        with _TRACER.start_as_current_span(f"turn {turn}"):
            agent(f"prompt {turn}")


@pytest.mark.slow
@pytest.mark.parametrize("write_mode", ["sync", "background"])
def test_manager_structures_stay_bounded_over_thousands_of_turns(
    make_manager: ManagerFactory, write_mode: str
) -> None:
    manager: AgentCoreMemorySessionManager = make_manager(write_mode=write_mode)
    agent = make_agent(
        manager,
        lambda *_args, **_kwargs: "ok",
        conversation_manager=SlidingWindowConversationManager(window_size=_WINDOW),
    )
    _turns(agent, 0, 200)
    manager.flush()
    early = container_entries(manager)
    _turns(agent, 200, 2_000)  # 4,000 messages
    manager.flush()
    late = container_entries(manager)
    # Tracking ids, and the traces of messages, are forgotten in bulk, so their counts move
    # within a fixed bound.
    tracked = "AgentTrack.message_ids"
    assert late[tracked] <= 2 * _WINDOW + 32
    traced = "MessageTraces._by_agent["
    assert 0 < late[traced + "]"] <= 2 * _WINDOW + 32
    # The events the writer keeps as the latest (for a redaction) hold one request each, whose
    # size depends on how many messages the background thread happened to batch into it: it is
    # bounded by the batch, not by the session, so its nested entries are left out.
    grown = {
        where: (early[where], n)
        for where, n in late.items()
        if n > early[where] + 2 and where != tracked and not where.startswith((_REQUEST, traced))
    }
    assert not grown, f"entries grew with the session: {grown}"
    assert len(agent.messages) <= _WINDOW


def test_dropped_messages_are_forgotten_and_held_ones_still_update(
    make_manager: ManagerFactory,
) -> None:
    # The bound must not cost the MessageUpdatedEvent support: a message the agent still
    # holds keeps its id however many were dropped before it.
    manager = make_manager()
    agent = make_agent(
        manager,
        lambda *_args, **_kwargs: "ok",
        conversation_manager=SlidingWindowConversationManager(window_size=4),
    )
    _turns(agent, 0, 60)  # 120 messages
    (track,) = manager._agents.values()
    held = {m["tracking_id"] for m in agent.messages}
    assert held <= set(track.message_ids)
    assert len(track.message_ids) <= 2 * len(agent.messages) + 32
    latest = agent.messages[-1]
    assert track.updated(latest["tracking_id"], latest) is not None


def test_the_message_just_added_is_remembered_even_before_its_agent_holds_it() -> None:
    # SessionManager.append_message may be called before the message is in agent.messages
    # (a caller storing a message, then appending it). Forgetting dropped messages must not
    # forget that one: its later MessageUpdatedEvent would be lost.
    track = AgentTrack()
    held: list[Message] = []
    for index in range(100):
        message: Message = {
            "role": "user",
            "content": [{"text": f"m{index}"}],
            "tracking_id": f"t{index}",
        }
        track.added(SessionMessage.from_message(message, track.next_message_id), "w", held)
        updated = track.updated(f"t{index}", message)
        assert updated is not None and updated.message_id == index
    assert len(track.message_ids) <= _FORGET_SLACK + 1


@pytest.mark.parametrize("write_mode", ["sync", "background"])
def test_several_agents_keep_the_ids_of_every_message_they_hold(
    make_manager: ManagerFactory, write_mode: str
) -> None:
    # Two agents with windows of different sizes share one manager, and the history is also cut
    # by hand: each track forgets by its own agent's history, never another's, and every held
    # message still maps to an id (the newest to the last id given).
    manager = make_manager(write_mode=write_mode)
    agents = [
        make_agent(
            manager,
            lambda *_args, **_kwargs: "ok",
            agent_id=f"agent-{n}",
            conversation_manager=SlidingWindowConversationManager(window_size=4 + 6 * n),
        )
        for n in range(2)
    ]
    for turn in range(50):
        for agent in agents:
            agent(f"prompt {turn}")
            if turn % 7 == 0 and len(agent.messages) > 2:
                del agent.messages[0]
            # After every turn: the forgetting runs every few dozen messages, at any point.
            for each in (a for a in agents if a.messages):  # the second starts a step later
                track = manager._agents[each.agent_id]
                assert {m["tracking_id"] for m in each.messages} <= set(track.message_ids)
                newest = track.message_ids[each.messages[-1]["tracking_id"]]
                assert newest == track.next_message_id - 1
