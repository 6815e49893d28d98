"""A fork's checks: its arguments, and that its branch stays one fork (reruns, races).

A fork is one CreateEvent naming a new branch and its root. Its answer can be lost after the
write (the rerun then finds the branch it made), and two forks can name one branch at once
(each then reads the branch back, and one whose branch also holds another root gives way).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..client.paging import page_request, session_request
from ..telemetry import InstrumentedMemoryApi
from ..wire import limits
from ..wire.branch_tree import FORK_TRACE_KEY, BranchTree, trace_of
from ..wire.branches import MAIN, event_branch, event_root

FORK_POSITION_KEY = "forkPosition"
"""Metadata key on a fork's event: ``before`` or ``after``."""


class ForkError(ValueError):
    """The fork cannot be made as asked; the message says why and what to do."""


def made_before(
    tree: BranchTree,
    branch: str,
    root_id: str,
    position: str,
    trace_id: str | None,
) -> str | None:
    """The first event of ``branch`` if an earlier run made this very fork, else None.

    A fork is one CreateEvent; when its answer is lost (a 500 after the commit, a timeout, a
    kill) the branch exists though the caller was told it failed. Running the fork again then
    finds it: same root, and a first event saying the same position and trace.

    Raises:
        ForkError: ``branch`` exists, but is not this fork.
    """
    existing = tree.branches.get(branch)
    if existing is None:
        return None
    first = tree.event(existing.event_ids[0])
    if (
        existing.root_event_id == root_id
        and first is not None
        # trace_of reads any metadata string, here the fork's own notes
        and trace_of(first, FORK_POSITION_KEY) == position
        and trace_of(first, FORK_TRACE_KEY) == trace_id
    ):
        return existing.event_ids[0]
    raise ForkError(
        f"branch {branch!r} already exists (root {existing.root_event_id}); choose another name"
    )


def check_alone(
    list_events: Any,
    api: InstrumentedMemoryApi,
    calls: dict[str, int],
    target: dict[str, str],
    branch: str,
    root_id: str,
    made: str,
) -> None:
    """Undo the fork if another fork made ``branch`` at another root at the same time.

    Two forks naming one branch can both find it free and both write: the service then keeps
    one root for the branch and the other fork's caller would resume a conversation it did not
    fork. Just after writing, the branch's newest events (one page: the 100 newest events of
    the session, scanned) are read; if one of them forks elsewhere, this fork's event is
    deleted and a ForkError says so. Of two such forks at least one gives way, and both may
    (then neither is kept; run the fork again). More than 100 events written to the session
    between the two forks' writes would hide the other one from this check.
    """
    newest = {
        **session_request(
            target["memory_id"], target["actor_id"], target["session_id"], payloads=False
        ),
        "filter": {"branch": {"name": branch, "includeParentBranches": False}},
    }
    page = list_events(page_request(newest, None))
    others = {
        event_root(event)
        for event in page.get("events") or []
        if event.get("eventId") != made and event_branch(event) == branch
    }
    others -= {root_id, None}
    if not others:
        return
    calls["DeleteEvent"] = 1
    api.call("DeleteEvent", {**session_key(target), "eventId": made})
    raise ForkError(
        f"another fork made branch {branch!r} at the same time at another root"
        f" ({', '.join(sorted(str(o) for o in others))}); this fork's event was deleted:"
        " choose another name"
    )


def session_key(target: dict[str, str]) -> dict[str, str]:
    """The request members naming the session."""
    return {
        "memoryId": target["memory_id"],
        "actorId": target["actor_id"],
        "sessionId": target["session_id"],
    }


def trace_branch(holding: Sequence[dict[str, Any]], trace_id: str) -> str:
    """The branch a trace's events are on; a ForkError naming them when there are several.

    One request can run a conversation on two branches (say, the same prompt on ``main`` and
    on a retry branch to compare them); forking the oldest one's branch silently could resume
    the conversation the user did not mean.
    """
    branches = list(dict.fromkeys(event_branch(event) for event in holding))
    if len(branches) > 1:
        raise ForkError(
            f"trace {trace_id} wrote on {len(branches)} branches ({', '.join(branches)}):"
            " give from_branch (--from-branch) to choose the conversation to fork"
        )
    return branches[0]


def check_arguments(
    memory_id: str, actor_id: str, session_id: str, branch: str, from_branch: str | None
) -> dict[str, str]:
    """The session a fork writes in; a ValueError naming an argument that breaks its rule."""
    limits.MEMORY_ID.check(memory_id, "memory_id")
    limits.ACTOR_ID.check(actor_id, "actor_id")
    limits.SESSION_ID.check(session_id, "session_id")
    limits.BRANCH_NAME.check(branch, "branch")
    if from_branch is not None:
        limits.BRANCH_NAME.check(from_branch, "from_branch")
    if branch == MAIN:
        raise ValueError("branch must not be 'main': a fork makes a new branch")
    return {"memory_id": memory_id, "actor_id": actor_id, "session_id": session_id}
