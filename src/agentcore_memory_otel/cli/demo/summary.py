"""The demo's end: the stored events, calls, latency, one turn found by its trace, and hints."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ...client.paging import session_events
from ...telemetry.find import find_events
from ...wire.blocks import describe_block
from ..arguments import SERVE_PORT
from . import conversation, report
from .observability import Observability
from .results import ACTOR_ID, DemoOptions, DemoResult, Print

SERVE_ENDPOINT = f"http://127.0.0.1:{SERVE_PORT}"  # where `serve` answers by default


def finish(
    result: DemoResult,
    observability: Observability,
    data: Any,
    options: DemoOptions,
    out: Print,
    steps: int,
) -> None:
    """The summary's figures, the closing hint, the OTLP report, the JSON summary, metrics."""
    trace_id = _summarise(result, observability, data, options, out)
    out(f"\n[7/{steps}] Look at it yourself")
    _closing_hint(result, trace_id, options, out)
    if observability.otlp is not None:
        observability.tracer_provider.force_flush()
        out("\n" + observability.otlp.report())
    if options.json_summary:
        Path(options.json_summary).write_text(
            json.dumps(result.to_dict(), indent=2, default=str), encoding="utf-8"
        )
    _hold_metrics(observability.metrics_url, options.hold_seconds, out)


def _hold_metrics(url: str | None, seconds: float, out: Print) -> None:
    """Say where metrics are while they are served, and that they stop with the demo."""
    if url is None:
        return
    dashboard = "Grafana dashboard: dashboards/grafana-agentcore-memory.json in the repository"
    if not seconds:
        out(
            f"\nPrometheus metrics were served on {url} during the run and stop with it; "
            f"--hold SECONDS keeps them up for a scrape ({dashboard})"
        )
        return
    out(f"\nServing Prometheus metrics on {url} for {seconds:g} s, Ctrl-C to stop ({dashboard})")
    with contextlib.suppress(KeyboardInterrupt):
        time.sleep(seconds)
    out("Stopped serving metrics.")


def all_events(data: Any, memory_id: str, session_id: str) -> list[dict[str, Any]]:
    """Every event of the demo's session, oldest first."""
    return session_events(
        lambda request: dict(data.list_events(**request)),
        memory_id=memory_id,
        actor_id=ACTOR_ID,
        session_id=session_id,
    )


def _summarise(
    result: DemoResult, observability: Observability, data: Any, options: DemoOptions, out: Print
) -> str:
    """Print the summary; return the trace id of the turn it looks up (a tool turn)."""
    out(f"\nEvents stored in session {result.session_id} (oldest first):")
    out(report.events_table(result.events))
    calls_text, result.calls = report.calls_summary(observability.metrics)
    out("\nAgentCore Memory API calls:")
    out(calls_text)
    if options.batch_size == 1:
        out("  (try --batch-size 10: one CreateEvent per agent invocation)")
    out("\nLatency per operation (client side, retries included):")
    out(report.latency_table(observability.finished_spans()))
    tool_turn = next(i for i, t in enumerate(conversation.FIRST_SESSION) if t.uses_tools)
    trace_id = result.trace_ids[tool_turn]
    found = find_events(
        trace_id,
        memory_id=result.memory_id,
        actor_id=result.actor_id,
        session_id=result.session_id,
        client=data,
    )
    out(f"\nThe events of one turn, found by its trace id {trace_id}:")
    for event in found:
        texts = [
            f"{m['role']}: {describe_block(dict(b))}" for m in event.messages for b in m["content"]
        ]
        out(f"  {event.event_id}  span={event.span_id}  " + " | ".join(texts))
    return trace_id


def _closing_hint(result: DemoResult, trace_id: str, options: DemoOptions, out: Print) -> None:
    """How to open the demo's memory again: the server, the console link, the ``events`` command."""
    from ...local.console.links import console_url

    endpoint = result.endpoint_url
    if not (options.aws or options.endpoint_url):
        out(f"  agentcore-memory-otel serve --db {Path(options.db)}   # serves the demo's memory")
        endpoint = SERVE_ENDPOINT
    if endpoint is not None:
        query = urlencode({"memoryId": result.memory_id, "traceId": trace_id})
        out(f"  memory console, one turn's events: {console_url(endpoint)}?{query}")
    where = f" --endpoint-url {endpoint}" if endpoint else ""
    out(
        f"  agentcore-memory-otel events --trace-id {trace_id} --memory-id {result.memory_id}"
        f"{where}"
    )
