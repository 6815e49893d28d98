"""Paging through a list operation: the one loop that follows ``nextToken``.

Every list operation of AgentCore Memory (ListEvents, ListSessions, ListActors,
ListMemoryRecords) pages the same way: ``maxResults`` caps a page, a page that carries a
``nextToken`` has a next one, and only a page without one ends the walk. A filtered page may
hold no item and still carry a token (docs/agentcore-memory-api.md, "Paging and ordering"),
so emptiness never ends it. The helpers take the call to make (``MemoryApi.list_events``, a
bound ``InstrumentedMemoryApi.call``, a paced or counting wrapper, a plain client's method),
so one call here is exactly one call there: counting wrappers see every page and no more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..wire import limits


class PagingError(RuntimeError):
    """The list call's pages never end: a ``nextToken`` came back a second time."""


PageCall = Callable[[dict[str, Any]], dict[str, Any]]
"""Makes one list call with the request given and returns its response (one page)."""


def page_request(
    request: dict[str, Any], token: str | None, max_results: int = limits.MAX_RESULTS_MAX
) -> dict[str, Any]:
    """``request`` for one page: ``max_results`` a page, after the page that gave ``token``.

    A missing or empty ``token`` asks for the first page (no ``nextToken`` is sent).
    """
    paged = {**request, "maxResults": max_results}
    if token:
        paged["nextToken"] = token
    return paged


def pages(
    call: PageCall,
    request: dict[str, Any],
    *,
    page_size: int | Callable[[], int] = limits.MAX_RESULTS_MAX,
) -> Iterator[dict[str, Any]]:
    """Every page of ``request``, each fetched only when the previous one has been taken.

    ``page_size`` is the ``maxResults`` of every page, or a function asked before each page
    (a caller wanting at most N items shrinks the last page). A caller that stops iterating
    makes no further call.

    Raises:
        PagingError: A page gave a ``nextToken`` an earlier page of this walk gave: the
            answers go round in a circle, and following them would never end.
    """
    token: str | None = None
    seen: set[str] = set()
    while True:
        size = page_size() if callable(page_size) else page_size
        page = call(page_request(request, token, size))
        yield page
        token = page.get("nextToken") or None
        if token is None:
            return
        if token in seen:
            raise PagingError(
                f"page {len(seen) + 1} gave nextToken {token[:40]!r} again (an earlier"
                " page gave it): the pages go round in a circle, so paging stopped"
            )
        seen.add(token)


def session_request(
    memory_id: str, actor_id: str, session_id: str, *, payloads: bool = True
) -> dict[str, Any]:
    """The ListEvents request of one session (every branch), without paging members."""
    return {
        "memoryId": memory_id,
        "actorId": actor_id,
        "sessionId": session_id,
        "includePayloads": payloads,
    }


def session_events(
    list_events: PageCall, *, memory_id: str, actor_id: str, session_id: str
) -> list[dict[str, Any]]:
    """Every event of the session, every branch, oldest first (pages of 100, newest first)."""
    newest_first: list[dict[str, Any]] = []
    for page in pages(list_events, session_request(memory_id, actor_id, session_id)):
        newest_first += page.get("events") or []
    return newest_first[::-1]
