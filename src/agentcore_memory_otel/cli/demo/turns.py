"""One session of the demo: a new session manager and agent, and their turns, printed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from strands import Agent

from ...session.config import AgentCoreMemoryConfig, RetrievalConfig
from ...session.manager import AgentCoreMemorySessionManager
from ...wire.blocks import describe_block
from . import conversation, report
from .observability import Observability
from .results import ACTOR_ID, DemoOptions, DemoResult, Print

if TYPE_CHECKING:
    from ...local import LocalMemoryServer


def converse(
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
