"""A session's branches, read from one unfiltered ListEvents walk.

ListEvents without a filter returns the events of every branch, newest first, each naming its
branch (and, off ``main``, its root event). That one walk tells the whole tree: a branch's
parent is the branch its root event is on, and what a branch sees is what the service returns
for its branch filter with ``includeParentBranches``: its own events, and each ancestor's events
up to and including the root the path to it forks from (docs/agentcore-memory-api.md,
"Branches"). The fork and the ``branches`` command read a session this way (the walk is
``client.paging.session_events``; the tree takes its events); a restore does not (it asks the
service for one branch).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from .branches import MAIN, event_branch, event_root
from .trace_stamp import DEFAULT_TRACE_ID_KEY

FORK_TRACE_KEY = "forkTraceId"
"""Metadata key on a fork's event: the trace it was forked at (when forked at a trace)."""


@dataclass
class Branch:
    """One branch of a session.

    Attributes:
        name: The branch name.
        root_event_id: The event it forks from (``None`` for ``main``).
        parent: The branch the root event is on (``None`` for ``main``, or when the root
            event is gone).
        event_ids: Its own events, oldest first.
    """

    name: str
    root_event_id: str | None = None
    parent: str | None = None
    event_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "name": self.name,
            "rootEventId": self.root_event_id,
            "parent": self.parent,
            "eventCount": len(self.event_ids),
            "firstEventId": self.event_ids[0] if self.event_ids else None,
        }


class BranchTree:
    """The branches of one session, built from all its events (oldest first)."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self._position = {str(e.get("eventId")): i for i, e in enumerate(events)}
        self.branches: dict[str, Branch] = {}
        for event in events:
            name = event_branch(event)
            branch = self.branches.setdefault(name, Branch(name))
            branch.event_ids.append(str(event.get("eventId")))
            if branch.root_event_id is None and name != MAIN:
                branch.root_event_id = event_root(event)
        for branch in self.branches.values():
            root = self.event(branch.root_event_id) if branch.root_event_id else None
            branch.parent = event_branch(root) if root is not None else None

    def event(self, event_id: str | None) -> dict[str, Any] | None:
        """The event with this id, if the session holds it."""
        position = self._position.get(str(event_id))
        return self.events[position] if position is not None else None

    def position(self, event_id: str) -> int:
        """Where the event stands in the session's order (oldest is 0)."""
        return self._position[event_id]

    def ancestry(self, name: str) -> Iterator[tuple[str, int | None]]:
        """The branch and its ancestors, each with the last position it contributes."""
        bound: int | None = None
        seen: set[str] = set()
        current: str | None = name
        while current is not None and current not in seen:
            seen.add(current)
            yield current, bound
            branch = self.branches.get(current)
            if branch is None or branch.root_event_id is None:
                return
            root = self._position.get(branch.root_event_id)
            if root is None:
                return  # its root is gone: the service shows no parent events either
            bound = root if bound is None else min(bound, root)
            current = branch.parent

    def view(self, name: str) -> list[dict[str, Any]]:
        """What a restore of ``name`` reads: its events and its ancestors' up to its root."""
        bounds = dict(self.ancestry(name))
        return [
            event
            for position, event in enumerate(self.events)
            if event_branch(event) in bounds
            and ((bound := bounds[event_branch(event)]) is None or position <= bound)
        ]

    def children(self, name: str) -> list[Branch]:
        """The branches whose root event is on ``name``, oldest root first."""
        found = [b for b in self.branches.values() if b.parent == name and b.name != name]
        return sorted(found, key=lambda b: self._position.get(b.root_event_id or "", -1))

    def summaries(self) -> list[dict[str, Any]]:
        """Every branch, parents before children, with its depth and its events' traces.

        The traces are those of its root event and of its first event (the one that made it).
        """
        rows: list[dict[str, Any]] = []
        added: set[str] = set()

        def add(branch: Branch, depth: int) -> None:
            if branch.name in added:
                return  # roots naming each other (hostile data) are shown once
            added.add(branch.name)
            first = self.event(branch.event_ids[0]) if branch.event_ids else None
            rows.append(
                {
                    **branch.to_dict(),
                    "depth": depth,
                    "rootTraceId": trace_of(self.event(branch.root_event_id)),
                    "firstTraceId": trace_of(first),
                    "forkTraceId": trace_of(first, FORK_TRACE_KEY),
                }
            )
            for child in self.children(branch.name):
                add(child, depth + 1)

        for branch in self.branches.values():
            if branch.parent is None or branch.parent == branch.name:
                add(branch, 0)
        for branch in self.branches.values():  # in a cycle of roots: no parent reaches them
            add(branch, 0)
        return rows

    def free_name(self) -> str:
        """A branch name the session does not use yet, to suggest in fork command lines."""
        number = len(self.branches)
        while f"fork-{number}" in self.branches:
            number += 1
        return f"fork-{number}"

    def fork_lines(self, name: str, memory_id: str, actor_id: str, session_id: str) -> list[Any]:
        """The events ``name`` restores, oldest first, each as ``(event, lines)``.

        ``lines`` holds the ``fork`` command forking just after the event and, on the first
        event of each trace, the one forking just before that trace.
        """
        branch = self.free_name()
        out: list[Any] = []
        traces: set[str] = set()
        for event in self.view(name):
            lines = {
                "forkHere": fork_command(
                    memory_id=memory_id,
                    actor_id=actor_id,
                    session_id=session_id,
                    branch=branch,
                    event_id=event["eventId"],
                )
            }
            trace = trace_of(event)
            if trace is not None and trace not in traces:
                traces.add(trace)
                lines["forkBeforeTrace"] = fork_command(
                    memory_id=memory_id,
                    actor_id=actor_id,
                    session_id=session_id,
                    branch=branch,
                    trace_id=trace,
                    position="before",
                )
            out.append((event, lines))
        return out


def trace_of(event: dict[str, Any] | None, key: str = DEFAULT_TRACE_ID_KEY) -> str | None:
    """The trace id an event is stamped with, if any."""
    metadata = (event or {}).get("metadata")
    value = metadata.get(key) if isinstance(metadata, dict) else None
    text = value.get("stringValue") if isinstance(value, dict) else None
    return text if isinstance(text, str) else None


def resume_config(memory_id: str, actor_id: str, session_id: str, branch: str) -> str:
    """The Python configuration of a session manager on ``branch``."""
    return (
        f"AgentCoreMemoryConfig(memory_id={memory_id!r}, actor_id={actor_id!r},"
        f" session_id={session_id!r}, branch={branch!r})"
    )


def fork_command(
    *,
    memory_id: str,
    actor_id: str,
    session_id: str,
    branch: str,
    event_id: str | None = None,
    trace_id: str | None = None,
    position: Literal["before", "after"] = "after",
) -> str:
    """The ``agentcore-memory-otel fork`` command line forking at an event or a trace."""
    at = f"--event-id {shlex.quote(str(event_id))}"
    if trace_id is not None:
        at = f"--trace-id {shlex.quote(trace_id)} --{position}"
    return (
        f"agentcore-memory-otel fork --memory-id {shlex.quote(memory_id)}"
        f" --actor-id {shlex.quote(actor_id)} --session-id {shlex.quote(session_id)}"
        f" {at} --branch {shlex.quote(branch)}"
    )
