"""``agentcore-memory-otel demo``: the whole product in one offline run.

An agent converses and uses tools, its memory lands in AgentCore Memory (the embedded local
server unless told otherwise), every event carries its trace, the memory's strategies extract
long-term records that a later turn gets injected, traces and metrics go to real exporters, and
the run ends with what memory cost and what the session manager saved.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from opentelemetry import trace
from strands import Agent

from ...client.boto import DEFAULT_REGION, make_client
from ...session.config import AgentCoreMemoryConfig, RetrievalConfig
from ...session.manager import AgentCoreMemorySessionManager
from ...telemetry.find import find_events
from ...wire.blocks import describe_block
from ..arguments import SERVE_PORT
from . import conversation, longterm, report
from .observability import Observability, set_up

if TYPE_CHECKING:
    from ...local import LocalMemoryServer

ACTOR_ID = "demo-user"
SERVE_ENDPOINT = f"http://127.0.0.1:{SERVE_PORT}"  # where `serve` answers by default


@dataclass
class DemoOptions:
    """What the ``demo`` command was asked to do."""

    batch_size: int = 1
    latency_ms: float = 0.0
    model: str = "scripted"
    endpoint_url: str | None = None
    aws: bool = False
    memory_id: str | None = None
    db: str = "agentcore-memory-demo.db"
    metrics_port: int = 9464
    hold_seconds: float = 0.0
    region: str = DEFAULT_REGION
    json_summary: str | None = None


@dataclass
class DemoResult:
    """What the run produced (the tests read it)."""

    memory_id: str
    session_id: str
    actor_id: str
    endpoint_url: str | None
    trace_ids: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, float] = field(default_factory=dict)
    restored_messages: int = 0
    restore_list_calls: int = 0
    server_calls: dict[str, dict[str, int]] = field(default_factory=dict)
    invocations: int = 0
    extracted: list[longterm.Extracted] = field(default_factory=list)
    extraction_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data."""
        return {
            "memoryId": self.memory_id,
            "sessionId": self.session_id,
            "actorId": self.actor_id,
            "endpointUrl": self.endpoint_url,
            "traceIds": self.trace_ids,
            "events": [
                {
                    "eventId": e["eventId"],
                    "metadata": {k: v.get("stringValue") for k, v in e.get("metadata", {}).items()},
                }
                for e in self.events
            ],
            "calls": self.calls,
            "restoredMessages": self.restored_messages,
            "restoreListEventsCalls": self.restore_list_calls,
            "serverCalls": self.server_calls,
            "invocations": self.invocations,
            "extractedRecords": [r.to_dict() for r in self.extracted],
            "extractionSeconds": self.extraction_seconds,
        }


Print = Callable[[str], None]


def run_demo(options: DemoOptions, out: Print = print) -> DemoResult:
    """Run the demo, printing progress and the summary through ``out``."""
    observability = set_up(options.metrics_port)
    try:
        return _run(options, observability, out)
    finally:
        observability.shutdown()


def _run(options: DemoOptions, observability: Observability, out: Print) -> DemoResult:
    steps = 7
    with _memory_service(options, out, steps) as (endpoint, server, control):
        out(
            f"[2/{steps}] "
            + (
                "Checking the AgentCore Memory resource"
                if options.memory_id
                else "Creating the AgentCore Memory resource with 3 built-in long-term "
                "strategies (user preference, semantic, summary)"
            )
        )
        memory = _memory(control, options)
        memory_id = str(memory["id"])
        strategies = longterm.Strategy.of(memory)
        out(f"      memory id: {memory_id}")
        for strategy in strategies:
            out(f"      strategy {strategy.type}: {', '.join(strategy.templates)}")
        if not strategies:
            out("      it has no long-term strategies: nothing will be extracted or injected")
        data = (
            server.client()
            if server is not None
            else make_client(region_name=options.region, endpoint_url=endpoint)
        )
        session_id = f"demo-{time.strftime('%Y%m%d-%H%M%S')}"
        result = DemoResult(memory_id, session_id, ACTOR_ID, endpoint)
        model_note = (
            "scripted model (offline, replays written replies; not an LLM)"
            if options.model == "scripted"
            else "Amazon Bedrock model"
        )
        out(
            f"[3/{steps}] Conversation in session {session_id} with a {model_note}, "
            f"batch_size={options.batch_size} (no long-term memory yet: nothing to inject)"
        )
        if observability.otlp is not None and not observability.exporting:
            out(observability.otlp.failure_note())
        if not observability.exporting:
            out(report.SPAN_NAMES_NOTE)
        _converse(options, result, observability, out, conversation.FIRST_SESSION, {})

        out(f"[4/{steps}] Long-term records extracted by the memory's strategies")
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
            f"[5/{steps}] Restarting the agent from memory (a new session manager and agent, "
            f"retrieving {', '.join(recall) or 'nothing'} into <user_context>)"
        )
        _converse(
            options,
            result,
            observability,
            out,
            conversation.RESUMED_SESSION,
            recall,
            resumed=True,
            server=server,
        )

        out(f"[6/{steps}] Summary")
        if server is not None:
            result.server_calls = server.stats.snapshot()
        result.events = _all_events(data, memory_id, session_id)
        _finish(result, observability, data, options, out, steps)
    return result


def _converse(
    options: DemoOptions,
    result: DemoResult,
    observability: Observability,
    out: Print,
    turns: tuple[conversation.Turn, ...],
    recall: dict[str, RetrievalConfig],
    *,
    resumed: bool = False,
    server: LocalMemoryServer | None = None,
) -> None:
    """One session's turns with a new manager and agent; a ``resumed`` one says what it restored.

    ``server`` (the embedded one, if any) counts the restore's ListEvents calls.
    """
    before = server.stats.count("ListEvents") if server is not None else 0
    manager = _manager(
        options, result.memory_id, result.session_id, result.endpoint_url, observability, recall
    )
    agent = _agent(options, manager, turns)
    if resumed:
        result.restored_messages = len(agent.messages)
        if server is not None:
            result.restore_list_calls = server.stats.count("ListEvents") - before
        calls_note = (
            f" with {result.restore_list_calls} ListEvents call(s)" if server is not None else ""
        )
        out(f"      restored {result.restored_messages} messages{calls_note}")
    for turn in turns:
        result.trace_ids.append(_run_turn(agent, turn, observability, out))
        result.invocations += 1
    manager.close()


def _finish(
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


@contextlib.contextmanager
def _memory_service(options: DemoOptions, out: Print, steps: int) -> Iterator[Any]:
    """The AgentCore Memory to use: real AWS, an endpoint given, or the embedded server."""
    if options.aws or options.endpoint_url:
        out(f"[1/{steps}] Using AgentCore Memory at {_where(options)}")
        control = make_client(
            "bedrock-agentcore-control",
            region_name=options.region,
            endpoint_url=options.endpoint_url,
        )
        yield options.endpoint_url, None, control
        return
    from ...local import LocalMemoryServer

    latency = f", adding {options.latency_ms:g} ms per call" if options.latency_ms else ""
    out(
        f"[1/{steps}] Starting the embedded AgentCore Memory server "
        f"(SQLite file {options.db}{latency})"
    )
    from ...wire.conversation_reader import read_strands_message

    with LocalMemoryServer(
        options.db, region=options.region, conversation_reader=read_strands_message
    ) as server:
        server.faults.set_latency(options.latency_ms / 1000)
        out(f"      listening on {server.endpoint_url}")
        yield server.endpoint_url, server, server.client("bedrock-agentcore-control")


def _where(options: DemoOptions) -> str:
    """The AgentCore Memory the demo uses, in words."""
    if options.endpoint_url:
        return options.endpoint_url
    if options.aws:
        return f"AWS ({options.region})"
    return f"the embedded server (SQLite file {options.db})"


class DemoError(Exception):
    """A problem the demo explains in one line instead of a traceback."""


def _memory(control: Any, options: DemoOptions) -> dict[str, Any]:
    """The memory to use: ``--memory-id`` (checked), or a new one with a unique name.

    A new memory has the three built-in long-term strategies (``longterm.STRATEGIES``).
    """
    if options.memory_id:
        try:
            return dict(control.get_memory(memoryId=options.memory_id)["memory"])
        except control.exceptions.ResourceNotFoundException:
            raise DemoError(
                f"memory {options.memory_id} does not exist at {_where(options)}: check "
                "--memory-id, or leave it out to create a memory"
            ) from None
    name = f"agentcore_memory_otel_demo_{time.strftime('%Y%m%d%H%M%S')}"
    memory = dict(
        control.create_memory(
            name=name, eventExpiryDuration=30, memoryStrategies=longterm.strategy_requests()
        )["memory"]
    )
    if options.aws:
        control.get_waiter("memory_created").wait(memoryId=memory["id"])
    return memory


def _manager(
    options: DemoOptions,
    memory_id: str,
    session_id: str,
    endpoint: str | None,
    observability: Observability,
    retrieval: dict[str, RetrievalConfig],
) -> AgentCoreMemorySessionManager:
    config = AgentCoreMemoryConfig(
        memory_id=memory_id,
        session_id=session_id,
        actor_id=ACTOR_ID,
        batch_size=options.batch_size,
        retrieval_config=retrieval or None,
    )
    return AgentCoreMemorySessionManager(
        config,
        region_name=options.region,
        endpoint_url=endpoint,
        tracer_provider=observability.tracer_provider,
        meter_provider=observability.meter_provider,
    )


def _agent(
    options: DemoOptions,
    manager: AgentCoreMemorySessionManager,
    turns: tuple[conversation.Turn, ...],
) -> Agent:
    if options.model == "bedrock":
        from strands.models import BedrockModel

        model: Any = BedrockModel(region_name=options.region)
    else:
        from ...testing import ScriptedModel

        model = ScriptedModel(conversation.script(turns))
    return Agent(
        model=model,
        tools=conversation.TOOLS,
        system_prompt=conversation.SYSTEM_PROMPT,
        session_manager=manager,
        callback_handler=None,
        name="travel-assistant",
    )


def _run_turn(
    agent: Agent, turn: conversation.Turn, observability: Observability, out: Print
) -> str:
    first_new = len(agent.messages)
    agent(turn.prompt)
    was_exporting = observability.exporting
    observability.export_now()
    spans = observability.finished_spans()
    invocations = [s for s in spans if s.name.startswith("invoke_agent") and s.context]
    invoke = invocations[-1] if invocations else None
    trace_id = trace.format_trace_id(invoke.context.trace_id) if invoke and invoke.context else ""
    out(f"\n  you:   {turn.prompt}")
    user_blocks = agent.messages[first_new]["content"] if len(agent.messages) > first_new else []
    if user_blocks and str(user_blocks[0].get("text", "")).startswith("<"):
        out(f"  memory injected: {describe_block(dict(user_blocks[0]))}")
    for message in agent.messages[first_new + 1 :]:
        for block in message["content"]:
            if "toolUse" in block or "toolResult" in block:
                out(f"         {describe_block(dict(block))}")
            elif "text" in block and message["role"] == "assistant":
                out(f"  agent: {block['text']}")
    out(f"  trace: {trace_id}")
    if was_exporting and not observability.exporting and observability.otlp is not None:
        out(observability.otlp.failure_note())  # the first failed export, as it happens
    if not observability.exporting and invoke is not None and invoke.context is not None:
        out(report.trace_tree(spans, invoke.context.trace_id))
    return trace_id


def _all_events(data: Any, memory_id: str, session_id: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for page in data.get_paginator("list_events").paginate(
        memoryId=memory_id,
        actorId=ACTOR_ID,
        sessionId=session_id,
        PaginationConfig={"PageSize": 100},
    ):
        events += page["events"]
    return list(reversed(events))


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
