"""Short, readable renderings of Strands content blocks for the command line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..find import LookupReport


def describe_block(block: dict[str, Any]) -> str:
    """One content block as a short line of text."""
    if "text" in block:
        text = " ".join(str(block["text"]).split())
        return text if len(text) <= 160 else text[:157] + "..."
    if "toolUse" in block:
        use = block["toolUse"]
        return f"[toolUse {use.get('name')} {json.dumps(use.get('input'))}]"
    if "toolResult" in block:
        result = block["toolResult"]
        parts = [describe_block(c) for c in result.get("content", [])]
        return f"[toolResult {result.get('status')}: {' '.join(parts)}]"
    return f"[{next(iter(block), 'empty')}]"


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


def message_kind(message: Mapping[str, Any]) -> str:
    """A message as its role and block kinds, e.g. ``user: toolResult``."""
    kinds = [next(iter(block), "empty") for block in message.get("content", [])]
    return f"{message.get('role', '?')}: {', '.join(kinds)}"


def lookup_summary(report: LookupReport) -> str:
    """A ``find_events`` call report in one line: calls by operation, sessions, time."""
    calls = ", ".join(f"{op} {n}" for op, n in sorted(report.calls.items())) or "none"
    early = ", stopped early" if report.stopped_early else ""
    return (
        f"Lookup: {report.total_calls} call(s) ({calls}), {report.sessions_searched} "
        f"session(s) searched{early}, {report.seconds:.2f} s"
    )
