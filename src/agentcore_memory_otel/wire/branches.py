"""The branch of a session a manager reads and writes (AgentCore Memory branches).

AgentCore Memory keeps every event on a named branch: ``main`` unless CreateEvent names another,
together with the ``rootEventId`` it forks from. A branch sees its own events and, through
ListEvents' ``filter.branch`` with ``includeParentBranches``, its parents' events up to and
including its root event (docs/agentcore-memory-api.md, "Branches").

* On ``main`` nothing is sent differently from a session without branches: ListEvents goes
  without a filter (the call count is unchanged), and since an unfiltered ListEvents returns the
  events of *every* branch, events of other branches are dropped here, page by page.
* On any other branch ListEvents carries the branch filter with its parents, and every
  CreateEvent carries ``branch: {name, rootEventId}``: the service refuses a branch without its
  root, so the root is learnt from the branch's own events (a fork wrote the first one) before
  anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

MAIN: Final = "main"
"""The branch of events written without one."""


class BranchNotFoundError(ValueError):
    """The configured branch has no events in the session, so its root is unknown."""


def event_branch(event: dict[str, Any]) -> str:
    """The branch an event is on (``main`` when it names none, or names it unreadably)."""
    branch = event.get("branch")
    name = branch.get("name") if isinstance(branch, dict) else None
    return name if isinstance(name, str) and name else MAIN


def event_root(event: dict[str, Any]) -> str | None:
    """The ``rootEventId`` an event's branch forks from, if it states one."""
    branch = event.get("branch")
    root = branch.get("rootEventId") if isinstance(branch, dict) else None
    return root if isinstance(root, str) and root else None


@dataclass
class BranchView:
    """One branch of a session as a manager sees it: what it reads, and how it writes.

    Attributes:
        name: The branch.
        root_event_id: The event it forks from, once learnt from one of its events (always
            ``None`` on ``main``).
    """

    name: str = MAIN
    root_event_id: str | None = None

    @property
    def is_main(self) -> bool:
        """Whether this is the ``main`` branch (requests then go exactly as without branches)."""
        return self.name == MAIN

    def list_filter(self) -> dict[str, Any] | None:
        """The ListEvents ``filter`` reading this branch and its parents (none on ``main``)."""
        if self.is_main:
            return None
        return {"branch": {"name": self.name, "includeParentBranches": True}}

    def admit(self, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events of a ListEvents page this branch sees; notes its root on the way.

        On ``main`` the page was read without a filter, so other branches' events are dropped.
        On a branch the service filtered already.
        """
        if self.is_main:
            return [event for event in events if event_branch(event) == MAIN]
        kept = list(events)
        if self.root_event_id is None:
            for event in kept:
                if event_branch(event) == self.name and event_root(event) is not None:
                    self.root_event_id = event_root(event)
                    break
        return kept

    def owns(self, event: dict[str, Any]) -> bool:
        """Whether ``event`` is on this branch itself (not inherited from a parent)."""
        return event_branch(event) == self.name

    def create_event_branch(self) -> dict[str, str] | None:
        """The CreateEvent ``branch`` member (none on ``main``).

        Raises:
            BranchNotFoundError: The branch's root is not known (it has no events).
        """
        if self.is_main:
            return None
        if self.root_event_id is None:
            raise BranchNotFoundError(self.missing_message())
        return {"name": self.name, "rootEventId": self.root_event_id}

    def missing_message(self) -> str:
        """Why a branch without events cannot be used, and how to create it."""
        return (
            f"branch {self.name!r} has no events in this session, so its root event is unknown:"
            " create it with agentcore_memory_otel.fork_session(...) or"
            " `agentcore-memory-otel fork`"
        )
