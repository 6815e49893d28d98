"""Long-term memory: retrieve relevant records and put them in front of the user's words.

For each configured namespace (``{actorId}``, ``{sessionId}`` and ``{memoryStrategyId}``
substituted), RetrieveMemoryRecords runs in parallel with the user's text as the query, over
that namespace and every namespace below it (``namespacePath``), as the SDK's manager searches.
Records scoring below the namespace's ``relevance_score`` are dropped; the rest are joined and
inserted as the first content block of the user message, inside ``<context_tag>...</context_tag>``.
A namespace with an ``initialization_query`` is searched with that query instead of the user's
text for the first message that triggers retrieval, then with the user's text.
A namespace that fails is logged and skipped; it never fails the turn. The session manager
persists the user message before this runs, so the injected context is never stored as if the
user had said it.

Only the newest user message of an agent carries injected context: when the next user message
with text arrives, the block injected before is taken out of the earlier message, so the prompt
does not grow by one context block per turn. Tool results (also user messages) keep the block
in place, since the model still works on the same question.

What was injected is kept per agent until ``take_reads``; the session manager writes it into the
metadata of the agent's next stored message in the same trace (``READS_KEY``), so the trace's
activity names the records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from strands.types.content import ContentBlock, Message

from ..wire import limits
from .config import RetrievalConfig

logger = logging.getLogger(__name__)

Retrieve = Callable[[dict[str, Any], Callable[[dict[str, Any]], bool]], dict[str, Any]]
"""Performs one RetrieveMemoryRecords call with the given request; the second argument tells
which returned records are injected (telemetry names them on the call's span)."""


@dataclass(frozen=True)
class Read:
    """A record a retrieval injected into the prompt."""

    record_id: str
    namespace: str
    score: float


def reads_value(reads: list[Read]) -> str | None:
    """The injected records as one event metadata value: ``id=score`` pairs, best first.

    As many as fit the value's 256 characters (5 records of the service's 40-character ids);
    ``None`` when there is none to name. Ids the API would not give are left out.
    """
    pairs: list[str] = []
    length = 0
    for read in sorted(reads, key=lambda r: -r.score):
        try:
            limits.MEMORY_RECORD_ID.check(read.record_id, "memoryRecordId")
        except ValueError:
            continue
        pair = f"{read.record_id}={read.score:.4g}"
        if length + len(pair) + (1 if pairs else 0) > limits.METADATA_VALUE_MAX_LENGTH:
            break
        length += len(pair) + (1 if pairs else 0)
        pairs.append(pair)
    return " ".join(pairs) or None


def resolve_namespace(
    template: str, *, actor_id: str, session_id: str, strategy_id: str | None
) -> str:
    """Substitute the namespace template variables."""
    return (
        template.replace("{actorId}", actor_id)
        .replace("{sessionId}", session_id)
        .replace("{memoryStrategyId}", strategy_id or "")
    )


def user_query(message: Message, query_filter: Callable[[str], str] | None = None) -> str | None:
    """The text to search with, if ``message`` is a user message that starts with text.

    ``query_filter`` (the content filter) runs on the whole text before it is cut to the
    API's limit, so a secret is never cut in half and half sent.
    """
    if message.get("role") != "user" or not message.get("content"):
        return None
    first = message["content"][0]
    if "text" not in first or any("toolResult" in block for block in message["content"]):
        return None
    text = first["text"].strip()
    if query_filter is not None:
        text = query_filter(text).strip()
    return text[: limits.SEARCH_QUERY_MAX_CHARS] or None


def is_bidirectional(agent: object) -> bool:
    """Whether ``agent`` is a Strands bidirectional agent, which gets no injected context."""
    try:
        from strands.bidi import BidiAgent
    except ImportError:  # a Strands release without bidirectional agents
        return False
    return isinstance(agent, BidiAgent)


class Retriever:
    """Retrieves and injects long-term memory for one session."""

    def __init__(
        self,
        *,
        retrieve: Retrieve,
        memory_id: str,
        actor_id: str,
        session_id: str,
        namespaces: dict[str, RetrievalConfig],
        context_tag: str,
        query_filter: Callable[[str], str] | None = None,
    ) -> None:
        self._retrieve = retrieve
        self._query_filter = query_filter
        self._memory_id = memory_id
        self._actor_id = actor_id
        self._session_id = session_id
        self._namespaces = namespaces
        self._tag = context_tag
        # Per agent: the message holding the block injected last, and that very block.
        self._injected: dict[str | None, tuple[Message, ContentBlock]] = {}
        self._initialized = False  # whether a retrieval ran (initialization queries are spent)
        # Per agent: the records its latest ``inject`` put in front of the user's words.
        self._reads: dict[str | None, list[Read]] = {}

    def inject(self, message: Message, agent_id: str | None = None) -> int:
        """Add relevant records to ``message`` in place; return how many were injected.

        The block injected earlier for ``agent_id`` is removed from its message first, so only
        the agent's newest user message carries long-term memory.
        """
        query = user_query(message, self._query_filter)
        if query is None or not self._namespaces:
            return 0
        self._remove_previous(agent_id)
        items = list(self._namespaces.items())
        first, self._initialized = not self._initialized, True
        with ThreadPoolExecutor(
            max_workers=min(8, len(items)), thread_name_prefix="agentcore-memory-retrieve"
        ) as pool:
            results = list(
                pool.map(
                    lambda item: self._search(
                        item[0], item[1], (first and item[1].initialization_query) or query
                    ),
                    items,
                )
            )
        self._reads[agent_id] = [read for found in results for read, _ in found]
        texts = [text for found in results for _, text in found]
        if texts:
            context = "\n".join(texts)
            block: ContentBlock = {"text": f"<{self._tag}>{context}</{self._tag}>"}
            message["content"].insert(0, block)
            self._injected[agent_id] = (message, block)
        return len(texts)

    def take_reads(self, agent_id: str | None) -> list[Read]:
        """The records the agent's latest ``inject`` injected, once (then forgotten)."""
        return self._reads.pop(agent_id, [])

    def _remove_previous(self, agent_id: str | None) -> None:
        previous = self._injected.pop(agent_id, None)
        if previous is None:
            return
        message, block = previous
        # By identity, so that a user block with the same text is never taken out.
        message["content"][:] = [b for b in message["content"] if b is not block]

    def _search(self, template: str, config: RetrievalConfig, query: str) -> list[tuple[Read, str]]:
        namespace = resolve_namespace(
            template,
            actor_id=self._actor_id,
            session_id=self._session_id,
            strategy_id=config.strategy_id,
        )
        criteria: dict[str, Any] = {
            "searchQuery": query,
            "topK": min(config.top_k, limits.TOP_K_MAX),
        }
        if config.strategy_id:
            criteria["memoryStrategyId"] = config.strategy_id
        try:
            limits.NAMESPACE.check(namespace, "namespace")

            def injected(record: dict[str, Any]) -> bool:
                return bool(
                    record.get("score", 0.0) >= config.relevance_score
                    and record.get("content", {}).get("text")
                )

            response = self._retrieve(
                {
                    "memoryId": self._memory_id,
                    "namespacePath": namespace,
                    "searchCriteria": criteria,
                },
                injected,
            )
        except Exception as exc:  # one namespace must never fail the turn
            logger.warning("namespace=<%s> | long-term memory retrieval failed: %s", namespace, exc)
            return []
        return [
            (
                Read(str(record.get("memoryRecordId", "")), namespace, record.get("score", 0.0)),
                record["content"]["text"],
            )
            for record in response.get("memoryRecordSummaries", [])
            if injected(record)
        ]
