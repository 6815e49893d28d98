"""Forking a session onto a new AgentCore branch at a trace, a turn or an event.

A branch sees its parent's events up to and including its root event, then its own. So forking
is choosing the root: the session's state just *after* an event is everything up to it. The
fork writes one event on the new branch (AgentCore makes a branch with its first event, which
must name the root): the session record, which every restore already understands, and, for each
agent whose window change at the fork point was stored after it (with its next message), the
agent's record with that window. Everything else an agent restores is the newest state up to
the root.

What a fork costs: the ListEvents pages of the whole session (100 events a page, every branch),
one CreateEvent, then one ListEvents of the new branch making sure no other fork took its name
at the same time. A manager configured with ``branch=`` then resumes it.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from opentelemetry import trace
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider
from strands.types.session import Session, SessionType

from ..client.boto import client_or_new
from ..client.paging import session_events
from ..telemetry import InstrumentedMemoryApi
from ..wire.branch_tree import FORK_TRACE_KEY, BranchTree, resume_config, trace_of
from ..wire.branches import MAIN, event_branch
from ..wire.codec import StoredAgent, StoredMessage, decode_event
from ..wire.encoding import encode_agent, encode_session, with_next_message_id
from ..wire.json_text import PayloadItem
from ..wire.metadata import STATE_TYPE_KEY
from ..wire.pending import RecordKind
from ..wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY, normalize_trace_id
from .fork_guards import (
    FORK_POSITION_KEY,
    ForkError,
    check_alone,
    check_arguments,
    made_before,
    trace_branch,
)


class ForkPosition(str, Enum):
    """Where a fork cuts, relative to what it is forked at."""

    BEFORE = "before"
    """Just before its first event: as if it had never run."""
    AFTER = "after"
    """Just after its last event."""


@dataclass(frozen=True)
class Fork:
    """A branch made by ``fork_session``.

    Attributes:
        memory_id, actor_id, session_id: The session.
        branch: The new branch.
        root_event_id: The event it forks from (the last one it inherits).
        parent: The branch the root event is on.
        event_id: The branch's first event (the one the fork wrote).
        calls: API calls made, by operation.
        created: Whether this call wrote the branch's first event; ``False`` when an earlier
            run had already made this very fork (its CreateEvent committed, but its answer
            was lost), so nothing was written again.
    """

    memory_id: str
    actor_id: str
    session_id: str
    branch: str
    root_event_id: str
    parent: str
    event_id: str
    calls: dict[str, int] = field(default_factory=dict)
    created: bool = True

    def config_line(self) -> str:
        """The Python configuration that resumes the branch."""
        return resume_config(self.memory_id, self.actor_id, self.session_id, self.branch)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "memoryId": self.memory_id,
            "actorId": self.actor_id,
            "sessionId": self.session_id,
            "branch": self.branch,
            "rootEventId": self.root_event_id,
            "parent": self.parent,
            "eventId": self.event_id,
            "calls": self.calls,
            "created": self.created,
            "config": self.config_line(),
        }


def fork_session(
    *,
    memory_id: str,
    actor_id: str,
    session_id: str,
    branch: str,
    trace_id: str | None = None,
    turn: int | None = None,
    event_id: str | None = None,
    position: ForkPosition | str = ForkPosition.AFTER,
    from_branch: str | None = None,
    client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    trace_id_key: str = DEFAULT_TRACE_ID_KEY,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> Fork:
    """Create ``branch`` in the session, forked at a trace, a turn or an event.

    Give exactly one of ``trace_id``, ``turn`` and ``event_id``. ``position`` ``after`` keeps
    what it names (the branch inherits up to its last event); ``before`` leaves it out (the
    branch inherits up to the event just before its first). Resume the branch with
    ``AgentCoreMemoryConfig(..., branch=branch)`` (``Fork.config_line()``).

    Args:
        memory_id: The memory resource.
        actor_id: The actor the session is stored under.
        session_id: The session.
        branch: The new branch's name (1-100 of ``[a-zA-Z0-9][a-zA-Z0-9-_]*``; not ``main``,
            and not a branch the session already has).
        trace_id: A trace, in any form ``find_events`` accepts (W3C hex, UUID style,
            ``0x``-prefixed, X-Ray): its events in the session.
        turn: A turn, counted from 1: the events from the ``turn``-th user prompt (a user
            message with text and no tool result) up to the next one.
        event_id: One event.
        position: ``"after"`` (default) or ``"before"``.
        from_branch: The branch whose conversation is forked; by default the branch of the
            event(s) named (``main`` for a turn). Required for a trace whose events are on
            several branches.
        client: A boto3 ``bedrock-agentcore`` client; built from the next two if absent.
        endpoint_url: Endpoint for the client built here (e.g. the local server).
        region_name: Region for the client built here.
        trace_id_key: The metadata key trace ids were stamped under.
        tracer_provider: Where the calls' spans go; the global provider when ``None``.
        meter_provider: Where their metrics go; the global provider when ``None``.

    Raises:
        ValueError: An argument breaks a rule (the message names it); ``ForkError`` (a
            ``ValueError``) when the session has no such trace, turn or event, the branch
            exists with another root, or there is nothing before the first event of the
            session. Running the same fork again is safe: when ``branch`` already exists as
            this very fork made it (same root and position, e.g. an earlier run's CreateEvent
            committed but its answer was lost), it is returned with ``created`` false and
            nothing is written.
    """
    cut, wanted_trace = _check_fork_point(position, trace_id, turn, event_id)
    target = check_arguments(memory_id, actor_id, session_id, branch, from_branch)
    client = client_or_new(client, endpoint_url, region_name)
    api = InstrumentedMemoryApi(
        client, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    calls = {"ListEvents": 0}

    def list_events(request: dict[str, Any]) -> dict[str, Any]:
        calls["ListEvents"] += 1
        return api.list_events(request)

    try:
        tree = _forkable_tree(session_events(list_events, **target), target)
        selected, source = _select(tree, wanted_trace, turn, event_id, from_branch, trace_id_key)
        root = _root(tree, source, selected, cut)
        made = made_before(tree, branch, str(root["eventId"]), cut.value, wanted_trace)
        if made is None:
            request = _fork_request(target, branch, root, tree, wanted_trace, cut, trace_id_key)
            calls["CreateEvent"] = 1
            made = str(api.call("CreateEvent", request)["event"]["eventId"])
            check_alone(list_events, api, calls, target, branch, str(root["eventId"]), made)
        else:
            calls["CreateEvent"] = 0
    finally:
        api.close()
    return Fork(
        memory_id=memory_id,
        actor_id=actor_id,
        session_id=session_id,
        branch=branch,
        root_event_id=str(root["eventId"]),
        parent=event_branch(root),
        event_id=made,
        calls=calls,
        created=calls["CreateEvent"] == 1,
    )


def _forkable_tree(events: Any, target: dict[str, str]) -> BranchTree:
    """The session's branch tree; a ForkError if it is empty."""
    tree = BranchTree(events)
    where = f"session {target['session_id']!r} of actor {target['actor_id']!r}"
    if not tree.events:
        raise ForkError(f"{where} has no events in memory {target['memory_id']!r}: nothing to fork")
    return tree


def _check_fork_point(
    position: ForkPosition | str, trace_id: str | None, turn: int | None, event_id: str | None
) -> tuple[ForkPosition, str | None]:
    """The fork's position and normalized trace id; a ValueError naming a bad argument."""
    if position not in {p.value for p in ForkPosition}:
        raise ValueError(f"position must be 'before' or 'after', got {position!r}")
    chosen = [name for name, value in (("trace_id", trace_id), ("turn", turn)) if value is not None]
    chosen += ["event_id"] if event_id is not None else []
    if len(chosen) != 1:
        raise ValueError(
            f"give exactly one of trace_id, turn and event_id (got {', '.join(chosen) or 'none'})"
        )
    if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int) or turn < 1):
        raise ValueError(f"turn counts from 1, got {turn!r}")
    return ForkPosition(position), normalize_trace_id(trace_id) if trace_id is not None else None


def _select(
    tree: BranchTree,
    trace_id: str | None,
    turn: int | None,
    event_id: str | None,
    from_branch: str | None,
    trace_id_key: str,
) -> tuple[list[dict[str, Any]], str]:
    """The events named (oldest first) within the source branch's view, and that branch."""
    if event_id is not None:
        event = tree.event(event_id)
        if event is None:
            raise ForkError(f"the session has no event {event_id!r}")
        source = from_branch or event_branch(event)
        return _within(tree, source, lambda e: e.get("eventId") == event_id, f"event {event_id}")
    if trace_id is not None:
        holding = [e for e in tree.events if trace_of(e, trace_id_key) == trace_id]
        if not holding:
            raise ForkError(f"the session holds no event of trace {trace_id}")
        source = from_branch or trace_branch(holding, trace_id)
        return _within(
            tree, source, lambda e: trace_of(e, trace_id_key) == trace_id, f"trace {trace_id}"
        )
    assert turn is not None
    source = from_branch or MAIN
    view = _view(tree, source)
    starts = [i for i, event in enumerate(view) if _holds_prompt(event)]
    if turn > len(starts):
        raise ForkError(f"branch {source!r} has {len(starts)} turn(s); turn {turn} is not one")
    end = starts[turn] if turn < len(starts) else len(view)
    return view[starts[turn - 1] : end], source


def _within(
    tree: BranchTree, source: str, wanted: Any, what: str
) -> tuple[list[dict[str, Any]], str]:
    selected = [event for event in _view(tree, source) if wanted(event)]
    if not selected:
        raise ForkError(f"branch {source!r} does not see {what}")
    return selected, source


def _view(tree: BranchTree, source: str) -> list[dict[str, Any]]:
    if source not in tree.branches:
        raise ForkError(f"the session has no branch {source!r}")
    return tree.view(source)


def _root(
    tree: BranchTree, source: str, selected: Sequence[dict[str, Any]], cut: ForkPosition
) -> dict[str, Any]:
    """The event the fork inherits up to."""
    match cut:
        case ForkPosition.AFTER:
            return selected[-1]
        case ForkPosition.BEFORE:
            view = tree.view(source)
            first = view.index(selected[0])
            if first == 0:
                raise ForkError(
                    "nothing comes before the session's first event, and a branch needs a root"
                    " event: start a new session instead"
                )
            return view[first - 1]


def _fork_request(
    target: dict[str, str],
    branch: str,
    root: dict[str, Any],
    tree: BranchTree,
    trace_id: str | None,
    cut: ForkPosition,
    trace_id_key: str,
) -> dict[str, Any]:
    """The branch's first event: the session record, on the branch, after everything it sees."""
    newest = max(_timestamp_ms(event) for event in tree.view(event_branch(root)))
    timestamp_ms = max(time.time_ns() // 1_000_000, newest + 1)
    session = Session(session_id=target["session_id"], session_type=SessionType.AGENT)
    windows = _windows_at(tree, root)
    kind = RecordKind.AGENT if windows else RecordKind.SESSION
    metadata = {
        STATE_TYPE_KEY: {"stringValue": kind.state_type},
        FORK_POSITION_KEY: {"stringValue": cut.value},
    }
    if trace_id is not None:
        metadata[FORK_TRACE_KEY] = {"stringValue": trace_id}
    # Stamped like every event this package writes, when the fork runs inside a trace.
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        metadata[trace_id_key] = {"stringValue": trace.format_trace_id(context.trace_id)}
        metadata[DEFAULT_SPAN_ID_KEY] = {"stringValue": trace.format_span_id(context.span_id)}
    return {
        "memoryId": target["memory_id"],
        "actorId": target["actor_id"],
        "sessionId": target["session_id"],
        "eventTimestamp": timestamp_ms / 1000,
        "payload": [encode_session(session), *windows],
        "branch": {"name": branch, "rootEventId": str(root["eventId"])},
        "metadata": metadata,
        "clientToken": str(uuid.uuid4()),
    }


def _windows_at(tree: BranchTree, root: dict[str, Any]) -> list[PayloadItem]:
    """Agent records whose window changed at the fork point but was stored after it.

    A conversation manager changes its window when an invocation ends, and that change is
    stored with the agent's next message (session/manager.py), so just after the
    root event it may be stored only in a later event the branch does not see. For each agent
    whose next message after the root carries such a change, this is its newest record up to
    the root with that window, numbered to continue after its messages up to the root.
    """
    view = tree.view(event_branch(root))
    cut = view.index(root)
    newest: dict[str, StoredAgent] = {}
    next_ids: dict[str, int] = {}
    for event in view[: cut + 1]:
        for stored in decode_event(event):
            if isinstance(stored, StoredAgent):
                newest[stored.session_agent.agent_id] = stored
            elif isinstance(stored, StoredMessage) and stored.message_id is not None:
                agent = stored.agent_id or ""
                next_ids[agent] = max(next_ids.get(agent, 0), stored.message_id + 1)
    waiting = set(newest)
    items: list[PayloadItem] = []
    for event in view[cut + 1 :]:
        decoded = decode_event(event)
        agents = {s.agent_id for s in decoded if isinstance(s, StoredMessage)} & waiting
        for stored in decoded:
            if isinstance(stored, StoredAgent) and stored.session_agent.agent_id in agents:
                record = newest[stored.session_agent.agent_id].session_agent
                window = stored.session_agent.conversation_manager_state
                if window != record.conversation_manager_state:
                    carried = dataclasses.replace(record, conversation_manager_state=window)
                    item = encode_agent(carried)
                    if record.agent_id in next_ids:
                        item = with_next_message_id(item, next_ids[record.agent_id])
                    items.append(item)
        waiting -= agents
        if not waiting:
            break
    return items


def _holds_prompt(event: dict[str, Any]) -> bool:
    """Whether an event holds a user prompt: a user message with text and no tool result."""
    for stored in decode_event(event):
        if not isinstance(stored, StoredMessage):
            continue
        message = stored.session_message.message
        blocks = message.get("content") or []
        if (
            message.get("role") == "user"
            and any("text" in block for block in blocks)
            and not any("toolResult" in block for block in blocks)
        ):
            return True
    return False


def _timestamp_ms(event: dict[str, Any]) -> int:
    stamp = event.get("eventTimestamp")
    return round(stamp.timestamp() * 1000) if isinstance(stamp, datetime) else 0
