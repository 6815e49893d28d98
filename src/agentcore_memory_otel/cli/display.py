"""Short, readable renderings of Strands content blocks for the command line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..telemetry.find import LookupReport


def user_fields(message: Mapping[str, Any]) -> dict[str, Any]:
    """A stored message without Strands' bookkeeping, for people reading a conversation.

    It keeps the role and content, and ``metadata`` only when a model reported token counts
    (a scripted model reports zeros).

    Strands also stores a ``tracking_id`` and zero usage and latency figures; ``events``
    shows them with ``--all-fields`` only.
    """
    shown = {"role": message.get("role"), "content": message.get("content", [])}
    metadata = message.get("metadata")
    usage = metadata.get("usage") if isinstance(metadata, Mapping) else None
    if isinstance(usage, Mapping) and any(isinstance(n, int) and n for n in usage.values()):
        shown["metadata"] = metadata
    return shown


def lookup_summary(report: LookupReport) -> str:
    """A ``find_events`` call report in one line: calls by operation, sessions, time."""
    calls = ", ".join(f"{op} {n}" for op, n in sorted(report.calls.items())) or "none"
    early = ", stopped early" if report.stopped_early else ""
    return (
        f"Lookup: {report.total_calls} call(s) ({calls}), {report.sessions_searched} "
        f"session(s) searched{early}, {report.seconds:.2f} s"
    )
