"""``agentcore-memory-otel demo``: the whole product in one offline run.

An agent converses and uses tools, its memory lands in AgentCore Memory (the embedded local
server unless told otherwise), every event carries its trace, the memory's strategies extract
long-term records that a later turn gets injected, traces and metrics go to real exporters, and
the run ends with what memory cost and what the session manager saved.
"""

from __future__ import annotations

import time
from typing import Any

from ...client.boto import make_client
from . import conversation, longterm, report
from .observability import Observability, set_up
from .results import ACTOR_ID, DemoError, DemoOptions, DemoResult, Print
from .service import memory, memory_service
from .summary import all_events, finish
from .turns import converse

__all__ = ["DemoError", "DemoOptions", "DemoResult", "run_demo"]


def run_demo(options: DemoOptions, out: Print = print) -> DemoResult:
    """Run the demo, printing progress and the summary through ``out``."""
    observability = set_up(options.metrics_port)
    try:
        return _run(options, observability, out)
    finally:
        observability.shutdown()


STEPS = 7
"""The numbered steps the demo announces, ``[1/7]`` to ``[7/7]``."""


def _run(options: DemoOptions, observability: Observability, out: Print) -> DemoResult:
    """The steps, in order, against one AgentCore Memory."""
    with memory_service(options, out, STEPS) as (endpoint, server, control):
        memory_id, strategies = _memory_step(control, options, out)
        data = (
            server.client()
            if server is not None
            else make_client(region_name=options.region, endpoint_url=endpoint)
        )
        session_id = f"demo-{time.strftime('%Y%m%d-%H%M%S')}"
        result = DemoResult(memory_id, session_id, ACTOR_ID, endpoint)
        _conversation_step(options, result, observability, out)

        out(f"[4/{STEPS}] Long-term records extracted by the memory's strategies")
        result.extracted, result.extraction_seconds = longterm.show_records(
            data,
            memory_id,
            strategies,
            actor_id=ACTOR_ID,
            session_id=session_id,
            aws=options.aws,
            # The embedded server's queue, emptied: the records shown are all there will be.
            settled=(lambda: server.backend.extraction.wait_idle(0.0)) if server else None,
            out=out,
        )

        recall = longterm.retrieval_config(strategies)
        out(
            f"[5/{STEPS}] Restarting the agent from memory (a new session manager and agent, "
            f"retrieving {', '.join(recall) or 'nothing'} into <user_context>)"
        )
        converse(
            options,
            result,
            observability,
            out,
            conversation.RESUMED_SESSION,
            recall,
            resumed=True,
            server=server,
        )

        out(f"[6/{STEPS}] Summary")
        if server is not None:
            result.server_calls = server.stats.snapshot()
        result.events = all_events(data, memory_id, session_id)
        finish(result, observability, data, options, out, STEPS)
    return result


def _memory_step(
    control: Any, options: DemoOptions, out: Print
) -> tuple[str, list[longterm.Strategy]]:
    """Step 2: the memory (checked, or created) and its long-term strategies, printed."""
    out(
        f"[2/{STEPS}] "
        + (
            "Checking the AgentCore Memory resource"
            if options.memory_id
            else "Creating the AgentCore Memory resource with 3 built-in long-term "
            "strategies (user preference, semantic, summary)"
        )
    )
    found = memory(control, options)
    memory_id = str(found["id"])
    strategies = longterm.Strategy.of(found)
    out(f"      memory id: {memory_id}")
    for strategy in strategies:
        out(f"      strategy {strategy.type}: {', '.join(strategy.templates)}")
    if not strategies:
        out("      it has no long-term strategies: nothing will be extracted or injected")
    return memory_id, strategies


def _conversation_step(
    options: DemoOptions, result: DemoResult, observability: Observability, out: Print
) -> None:
    """Step 3: the first session's turns, with no long-term memory to inject yet."""
    model_note = (
        "scripted model (offline, replays written replies; not an LLM)"
        if options.model == "scripted"
        else "Amazon Bedrock model"
    )
    out(
        f"[3/{STEPS}] Conversation in session {result.session_id} with a {model_note}, "
        f"batch_size={options.batch_size} (no long-term memory yet: nothing to inject)"
    )
    if observability.otlp is not None and not observability.exporting:
        out(observability.otlp.failure_note())
    if not observability.exporting:
        out(report.SPAN_NAMES_NOTE)
    converse(options, result, observability, out, conversation.FIRST_SESSION, {})
