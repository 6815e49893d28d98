"""The demo's long-term memory: built-in strategies, the bounded wait for extraction, recall.

The demo's memory is created with the three built-in strategies of the AgentCore user guide.
After the first conversation the demo polls ListMemoryRecords until every strategy's namespace
holds a record, within a bound (extraction is asynchronous: milliseconds on the local server,
commonly a minute or more on AWS), and the resumed session retrieves the preference and fact
namespaces as ``<user_context>``.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...session.config import RetrievalConfig
from ...session.retrieval import resolve_namespace
from .report import table

# One row per strategy: its CreateMemory union member, name and namespace template.
STRATEGIES: tuple[tuple[str, str, str], ...] = (
    ("userPreferenceMemoryStrategy", "preferences", "/users/{actorId}/preferences"),
    ("semanticMemoryStrategy", "facts", "/users/{actorId}/facts"),
    ("summaryMemoryStrategy", "summaries", "/users/{actorId}/sessions/{sessionId}"),
)
# Strategy types (as GetMemory names them) whose records the resumed session has injected;
# a session summary describes the conversation the agent already restores, so it is left out.
RECALLED_TYPES = frozenset({"USER_PREFERENCE", "SEMANTIC"})
POLL_SECONDS = 0.2
LOCAL_WAIT_SECONDS = 15.0
AWS_WAIT_SECONDS = 120.0
TEXT_WIDTH = 90


def strategy_requests() -> list[dict[str, Any]]:
    """CreateMemory's ``memoryStrategies`` for the demo's three built-in strategies."""
    return [
        {member: {"name": name, "namespaceTemplates": [template]}}
        for member, name, template in STRATEGIES
    ]


@dataclass(frozen=True)
class Strategy:
    """A strategy of the memory, as GetMemory or CreateMemory describes it."""

    strategy_id: str
    type: str
    templates: tuple[str, ...]

    @classmethod
    def of(cls, memory: Mapping[str, Any]) -> list[Strategy]:
        """The strategies of a memory description (none if it has none)."""
        return [
            cls(
                str(s["strategyId"]),
                str(s.get("type", "CUSTOM")),
                tuple(s.get("namespaces") or s.get("namespaceTemplates") or ()),
            )
            for s in memory.get("strategies") or ()
        ]


@dataclass(frozen=True)
class Extracted:
    """One long-term record the server extracted."""

    namespace: str
    strategy: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """The record as JSON-ready data."""
        return {"namespace": self.namespace, "strategy": self.strategy, "text": self.text}


def retrieval_config(strategies: Sequence[Strategy]) -> dict[str, RetrievalConfig]:
    """Retrieval on the namespaces of the preference and fact strategies."""
    return {
        template: RetrievalConfig(top_k=3, relevance_score=0.2)
        for strategy in strategies
        if strategy.type in RECALLED_TYPES
        for template in strategy.templates
    }


def wait_for_records(
    data: Any,
    memory_id: str,
    strategies: Sequence[Strategy],
    *,
    actor_id: str,
    session_id: str,
    timeout: float,
    settled: Callable[[], bool] | None = None,
) -> tuple[list[Extracted], list[str]]:
    """Poll ListMemoryRecords until every strategy's namespace holds a record, or ``timeout``.

    Args:
        data: A ``bedrock-agentcore`` client.
        memory_id: The memory.
        strategies: Its strategies; their templates are resolved for the actor and session.
        actor_id: The actor whose conversation was extracted.
        session_id: The session it happened in.
        timeout: The bound on the wait, in seconds.
        settled: Also required before stopping early (the embedded server passes "its
            extraction queue is empty", so the records shown are final).

    Returns:
        The records found (in strategy order) and the namespaces still empty at the end.
    """
    namespaces = {
        resolve_namespace(
            template, actor_id=actor_id, session_id=session_id, strategy_id=s.strategy_id
        ): s.type
        for s in strategies
        for template in s.templates
    }
    deadline = time.monotonic() + timeout
    while True:
        found = {ns: _records(data, memory_id, ns, kind) for ns, kind in namespaces.items()}
        empty = [ns for ns, records in found.items() if not records]
        if (not empty and (settled is None or settled())) or time.monotonic() >= deadline:
            return [r for records in found.values() for r in records], empty
        time.sleep(POLL_SECONDS)


def _records(data: Any, memory_id: str, namespace: str, kind: str) -> list[Extracted]:
    summaries: list[dict[str, Any]] = []
    for page in data.get_paginator("list_memory_records").paginate(
        memoryId=memory_id, namespace=namespace
    ):
        summaries += page["memoryRecordSummaries"]
    return [
        Extracted(namespace, kind, str(s.get("content", {}).get("text", ""))) for s in summaries
    ]


def records_rows(records: Sequence[Extracted]) -> list[tuple[str, str, str]]:
    """Rows (namespace, strategy, text) with long texts cut for the console."""
    rows = []
    for record in records:
        text = " ".join(record.text.split())
        if len(text) > TEXT_WIDTH:
            text = text[: TEXT_WIDTH - 3] + "..."
        rows.append((record.namespace, record.strategy, text))
    return rows


def show_records(
    data: Any,
    memory_id: str,
    strategies: Sequence[Strategy],
    *,
    actor_id: str,
    session_id: str,
    aws: bool,
    settled: Callable[[], bool] | None,
    out: Callable[[str], None],
) -> tuple[list[Extracted], float]:
    """The demo's step 4: wait for the records (bounded), print them, say what is missing.

    Returns:
        The records and the seconds waited.
    """
    if not strategies:
        out("      skipped: the memory has no strategies")
        return [], 0.0
    timeout = AWS_WAIT_SECONDS if aws else LOCAL_WAIT_SECONDS
    slow = "; AWS extracts asynchronously, often in a minute or more" if aws else ""
    out(
        f"      polling ListMemoryRecords every {POLL_SECONDS:g} s until each strategy's "
        f"namespace holds a record (up to {timeout:g} s{slow})"
    )
    started = time.monotonic()
    records, empty = wait_for_records(
        data,
        memory_id,
        strategies,
        actor_id=actor_id,
        session_id=session_id,
        timeout=timeout,
        settled=settled,
    )
    seconds = time.monotonic() - started
    out(f"      {len(records)} record(s) extracted, listed after {seconds:.1f} s:")
    if records:
        rows = records_rows(records)
        out(textwrap.indent(table(("namespace", "strategy", "text"), rows), "      "))
    if empty:
        out(
            f"      still no record in {', '.join(empty)} after {timeout:g} s: extraction may "
            "still be running; the resumed turn gets what exists now, and ListMemoryRecords "
            "shows the rest later"
        )
    return records, seconds
