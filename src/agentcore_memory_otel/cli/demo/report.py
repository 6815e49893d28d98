"""The demo's end-of-run summary: stored events, calls vs the naive baseline, latency."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan

from ...telemetry import names
from ...wire.blocks import message_kind
from ...wire.codec import StoredAgent, StoredMessage, StoredSession, decode_event

SPAN_NAMES_NOTE = (
    "      In each turn's trace tree, a memory span is named for the GenAI memory operation it "
    "performs,\n      with the AgentCore API call in brackets: [CreateEvent] stores one event of "
    "this session\n      (eventId shown; it creates no memory resource), [RetrieveMemoryRecords] "
    "searches long-term memory."
)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns."""
    body = [[str(cell) for cell in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(headers)
    ]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(line.rstrip() for line in lines)


def event_holds(event: dict[str, Any]) -> str:
    """What an event holds: its messages as ``role: block kinds``, then its records.

    Messages read as ``events`` prints them (a tool result is ``user: toolResult``).
    """
    parts = []
    for stored in decode_event(event):
        match stored:
            case StoredMessage():
                parts.append(message_kind(stored.session_message.to_message()))
            case StoredSession():
                parts.append("session record")
            case StoredAgent():
                parts.append("agent record")
    return " + ".join(parts)


def events_table(events: Sequence[dict[str, Any]]) -> str:
    """Stored events, oldest first, with what they hold and their trace ids."""
    rows = []
    for event in events:
        metadata = {k: v.get("stringValue", "") for k, v in event.get("metadata", {}).items()}
        rows.append(
            (
                event["eventId"],
                event_holds(event),
                metadata.get("traceId", "-"),
                metadata.get("spanId", "-"),
            )
        )
    return table(("eventId", "holds", "traceId", "spanId"), rows)


def metric_totals(
    reader: InMemoryMetricReader, name: str, key: str, **where: str
) -> dict[str, float]:
    """A counter's values summed by one attribute, over points matching ``where``.

    ``where`` names attribute keys as in ``names`` (e.g. ``outcome="success"``).
    """
    wanted = {getattr(names, k.upper()): v for k, v in where.items()}
    totals: dict[str, float] = defaultdict(float)
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name != name:
                    continue
                for point in metric.data.data_points:
                    attributes = point.attributes or {}
                    if all(attributes.get(k) == v for k, v in wanted.items()):
                        totals[str(attributes.get(key, ""))] += getattr(point, "value", 0)
    return dict(totals)


def calls_summary(reader: InMemoryMetricReader) -> tuple[str, dict[str, float]]:
    """Calls made by operation, and CreateEvent calls vs the naive baseline.

    Only successful CreateEvents count as made: a failed call is retried with the same
    request, and the naive baseline counts each write once.
    """
    made = metric_totals(reader, names.API_CALLS, names.OPERATION)
    stored = metric_totals(reader, names.API_CALLS, names.OPERATION, outcome="success")
    avoided = metric_totals(reader, names.CALLS_AVOIDED, names.REASON)
    create = stored.get("CreateEvent", 0)
    naive = create + sum(avoided.values())
    saved = 100 * (naive - create) / naive if naive else 0.0
    failed = made.get("CreateEvent", 0) - create
    lines = [table(("operation", "calls"), sorted((op, int(n)) for op, n in made.items())), ""]
    lines.append(
        f"CreateEvent calls made: {int(create)}; a naive session manager: {int(naive)} "
        f"({saved:.0f}% saved)"
    )
    if failed:
        lines.append(f"  plus {int(failed)} failed CreateEvent call(s), retried")
    for reason, count in sorted(avoided.items()):
        lines.append(f"  avoided by {reason}: {int(count)}")
    return "\n".join(lines), {"made": create, "naive": naive, "saved_percent": saved}


def latency_table(spans: Iterable[ReadableSpan]) -> str:
    """p50/p95 latency of the package's memory spans, per API operation."""
    durations: dict[str, list[float]] = defaultdict(list)
    for span in spans:
        scope = span.instrumentation_scope
        if scope is None or scope.name != names.INSTRUMENTATION_NAME:
            continue
        if span.start_time is None or span.end_time is None:
            continue
        method = str((span.attributes or {}).get(names.RPC_METHOD, span.name))
        durations[method].append((span.end_time - span.start_time) / 1e6)
    rows = [
        (op, len(v), f"{percentile(v, 50):.1f}", f"{percentile(v, 95):.1f}", f"{sum(v):.0f}")
        for op, v in sorted(durations.items())
    ]
    total = sum(sum(v) for v in durations.values())
    return (
        table(("operation", "calls", "p50 ms", "p95 ms", "total ms"), rows)
        + f"\nTime spent in memory calls: {total / 1000:.2f} s"
    )


def trace_tree(spans: Sequence[ReadableSpan], trace_id: int) -> str:
    """One trace as an indented tree of span names with durations (for the console)."""
    in_trace = [s for s in spans if s.context is not None and s.context.trace_id == trace_id]
    children: dict[int | None, list[ReadableSpan]] = defaultdict(list)
    ids = {s.context.span_id for s in in_trace if s.context is not None}
    for span in in_trace:
        parent = span.parent.span_id if span.parent and span.parent.span_id in ids else None
        children[parent].append(span)
    lines: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: s.start_time or 0):
            ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
            attributes = span.attributes or {}
            extra = ""
            scope = span.instrumentation_scope
            if scope is not None and scope.name == names.INSTRUMENTATION_NAME:
                extra = f"  [{attributes.get(names.RPC_METHOD, '?')}]"
            record = attributes.get(names.GEN_AI_MEMORY_RECORD_ID)
            if record:
                extra += f"  eventId={record}"
            lines.append(f"    {'  ' * depth}{span.name}  {ms:.1f} ms{extra}")
            if span.context is not None:
                walk(span.context.span_id, depth + 1)

    walk(None, 0)
    return "\n".join(lines)
