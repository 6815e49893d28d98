"""``MemoryClient``: the reading side of the SDK's ``MemoryClient``, on the traced API.

The session manager's ``memory_client`` is one of these, built on the manager's own API, so
it uses the same endpoint, region and credentials and every call it makes gets the same span
and metrics as the manager's. Method names, parameters and return shapes follow the
bedrock-agentcore SDK's ``MemoryClient``; code written against it reads events back unchanged.
Other data-plane operations are reachable as snake_case methods taking snake_case or camelCase
keyword arguments (``get_event(memory_id=..., ...)``), as on the SDK's client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from ..wire import limits
from .api import MemoryApi
from .paging import pages

logger = logging.getLogger(__name__)


# The data-plane operations reachable by name, as the SDK's client forwards them.
FORWARDED = frozenset(
    {
        "get_event",
        "delete_event",
        "list_sessions",
        "list_actors",
        "retrieve_memory_records",
        "get_memory_record",
        "list_memory_records",
        "delete_memory_record",
    }
)


class MemoryClient:
    """Reads events and memory records back, as the SDK's ``MemoryClient`` does.

    Args:
        api: The API every call goes through (the session manager's, traced).

    Attributes:
        gmdp_client: The underlying boto3 ``bedrock-agentcore`` client (calls made on it
            directly are not traced by this package).
        region_name: The client's region.
    """

    def __init__(self, api: MemoryApi) -> None:
        self._api = api
        self.gmdp_client: Any = api.client
        self.region_name: str = api.client.meta.region_name

    def list_events(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        branch_name: str | None = None,
        include_parent_branches: bool = False,
        event_metadata: list[dict[str, Any]] | None = None,
        max_results: int = 100,
        include_payload: bool = True,
    ) -> list[dict[str, Any]]:
        """Up to ``max_results`` events of a session, in the order the API returns them.

        Args:
            memory_id: The memory resource.
            actor_id: The actor.
            session_id: The session.
            branch_name: Only this branch (``None`` or ``"main"``: no branch filter).
            include_parent_branches: With ``branch_name``, include its parents' events.
            event_metadata: ListEvents metadata filter expressions.
            max_results: How many events to return at most (pages are followed).
            include_payload: Whether events carry their payloads.
        """
        request: dict[str, Any] = {
            "memoryId": memory_id,
            "actorId": actor_id,
            "sessionId": session_id,
            "includePayloads": include_payload,
        }
        filters: dict[str, Any] = {}
        if branch_name and branch_name != "main":
            filters["branch"] = {
                "name": branch_name,
                "includeParentBranches": include_parent_branches,
            }
        if event_metadata:
            filters["eventMetadata"] = event_metadata
        if filters:
            request["filter"] = filters
        return list(self._events(request, max_results))

    def get_last_k_turns(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        k: int = 5,
        branch_name: str | None = None,
        include_branches: bool = False,
        max_results: int | None = None,
    ) -> list[list[dict[str, Any]]]:
        """The last ``k`` turns, newest first, each a list of conversational payload items.

        Events are read newest first; within that order a ``USER`` item closes the turn being
        collected and starts the next, as the SDK groups them. ``max_results`` caps the events
        read; without it, pages are read until ``k`` turns are complete or the session ends.
        """
        request: dict[str, Any] = {
            "memoryId": memory_id,
            "actorId": actor_id,
            "sessionId": session_id,
            "includePayloads": True,
        }
        if branch_name and branch_name != "main":
            request["filter"] = {
                "branch": {"name": branch_name, "includeParentBranches": include_branches}
            }
        turns: list[list[dict[str, Any]]] = []
        current: list[dict[str, Any]] = []
        events = self._events(request, max_results) if k > 0 else iter(())
        for event in events:
            for item in event.get("payload", []):
                conversational = item.get("conversational")
                if conversational is None:
                    continue
                if conversational.get("role") == "USER" and current:
                    turns.append(current)
                    current = []
                current.append(conversational)
            if len(turns) >= k:
                break  # before the generator reads another page
        if current and len(turns) < k:
            turns.append(current)
        return turns[:k]

    def _events(self, request: dict[str, Any], max_results: int | None) -> Iterator[dict[str, Any]]:
        """ListEvents ``request``'s events in order, page by page as they are consumed.

        At most ``max_results`` events (every one when ``None``); a page is read only when the
        previous one is used up, so a caller that stops early reads no more.
        """
        read = 0

        def size() -> int:
            if max_results is None:
                return limits.MAX_RESULTS_MAX
            return min(limits.MAX_RESULTS_MAX, max_results - read)

        if max_results is not None and max_results <= 0:
            return
        for page in pages(self._api.list_events, request, page_size=size):
            events = page.get("events", [])[: size()]
            read += len(events)
            yield from events
            if max_results is not None and read >= max_results:
                return

    def retrieve_memories(
        self,
        memory_id: str,
        namespace: str | None = None,
        query: str | None = None,
        actor_id: str | None = None,
        top_k: int = 3,
        namespace_path: str | None = None,
        metadata_filters: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Memory records relevant to ``query`` in one namespace (exact, or a path and below).

        Exactly one of ``namespace`` and ``namespace_path`` is needed. As with the SDK, bad
        namespace arguments and service errors are logged and give ``[]``.

        Raises:
            TypeError: ``query`` is missing.
            ValueError: More than 5 ``metadata_filters``.
        """
        if query is None:
            raise TypeError("retrieve_memories() missing required argument: 'query'")
        if metadata_filters is not None and len(metadata_filters) > limits.METADATA_FILTERS_MAX:
            raise ValueError(
                f"metadata_filters: at most {limits.METADATA_FILTERS_MAX} expressions, "
                f"got {len(metadata_filters)}"
            )
        if (namespace is None) == (namespace_path is None):
            logger.error("retrieve_memories: give exactly one of namespace and namespace_path")
            return []
        scope = namespace if namespace is not None else namespace_path
        assert scope is not None
        if "*" in scope:
            logger.error("retrieve_memories: wildcards are not supported in namespaces")
            return []
        criteria: dict[str, Any] = {"searchQuery": query, "topK": top_k}
        if metadata_filters:
            criteria["metadataFilters"] = metadata_filters
        key = "namespace" if namespace is not None else "namespacePath"
        try:
            response = self._api.retrieve_memory_records(
                {"memoryId": memory_id, key: scope, "searchCriteria": criteria}
            )
        except ClientError as exc:
            logger.warning("namespace=<%s> | memory retrieval failed: %s", scope, exc)
            return []
        records: list[dict[str, Any]] = response.get("memoryRecordSummaries", [])
        return records

    def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]:
        if name not in FORWARDED:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        operation = "".join(part.title() for part in name.split("_"))

        def forward(**kwargs: Any) -> dict[str, Any]:
            return self._api.call(operation, _camel_case(kwargs))

        forward.__name__ = name
        return forward


def _camel_case(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments with snake_case names turned into the API's camelCase."""
    request: dict[str, Any] = {}
    for key, value in kwargs.items():
        head, *rest = key.split("_")
        camel = head + "".join(part.title() for part in rest)
        if camel in request:
            raise TypeError(f"{camel!r} given twice (as {key!r} and in another form)")
        request[camel] = value
    return request
