"""Runs one segment of a differential program on Strands' ``FileSessionManager`` or on ours.

A segment is one process's life: build a session manager and the program's agents (restoring
them if the session is stored), then run steps, taking a snapshot after the restore and after
every step. In-process restarts call ``run_segment`` again; fresh processes run
``python -m tests.differential.runner SPEC`` (SPEC is JSON), which prints each snapshot as
one JSON line as soon as it is taken, so a segment killed mid-turn (the model SIGKILLs its own
process at a chosen call) still reports every step before the kill.

The model is a ``GuardrailModel`` whose replies are a pure function of the conversation it
receives: each prompt names its step's plan (``s7|add,delete|redact``), so any process, any
backend, after any restart, answers the same conversation the same way, with the same
tool-use ids.

Spec (JSON): ``backend`` (``file`` with ``storage_dir``; ``ours`` with ``endpoint``,
``memory_id``, ``write_mode``, ``batch_size``, ``journal``, ``persistence_mode``), ``session``,
``agents`` (each ``{"id", "manager"}``, manager ``null``, ``window:N`` or ``summary:N``),
``steps`` and ``kill`` (``[step index, model call]`` or null). A step: ``{"agent", "tag",
"plan", "flags", "async", "structured", "response"}``: an agent stopped on an interrupt is
answered with ``response``; otherwise it runs a structured-output turn, or a turn whose prompt
names ``plan`` (tools by round) and ``flags`` (``redact``, ``overflow``).
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterable, Callable
from pathlib import Path
from typing import Any

import boto3
from pydantic import BaseModel
from strands import Agent, tool
from strands.agent.conversation_manager import (
    ConversationManager,
    NullConversationManager,
    SlidingWindowConversationManager,
    SummarizingConversationManager,
)
from strands.hooks import BeforeToolCallEvent, HookProvider, HookRegistry
from strands.session import FileSessionManager
from strands.session.session_manager import SessionManager
from strands.types.content import Messages
from strands.types.exceptions import ContextWindowOverflowException
from strands.types.streaming import StreamEvent
from strands.types.tools import ToolSpec

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import GuardrailModel, Reply, ToolCall

ACTOR = "differential"
PROMPT = re.compile(r"^(s\d+)\|([a-z,]*)\|([a-z,]*)$")
OVERFLOW_ABOVE = 6  # an ``overflow`` step's first call overflows while more messages are held
# One boto3 session per process, as an application would keep: building a client from a new
# session reloads botocore's data files, which would be most of a short segment's time.
BOTO_SESSION = boto3.Session(
    aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1"
)


class Weather(BaseModel):
    """The structured answer of a ``structured`` step."""

    city: str
    temp: int


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool(context=True)
def remember(key: str, value: int, tool_context: Any) -> str:
    """Keep a value in the agent's state."""
    tool_context.agent.state.set(key, value)
    return f"kept {key}"


@tool(context=True)
def delete(path: str, tool_context: Any) -> str:
    """Delete a file once a person approves (the tool itself raises the interrupt)."""
    answer = tool_context.interrupt("approve-delete", reason=f"delete {path}?")
    return f"deleted {path}: {answer}"


@tool
def guarded(x: int) -> int:
    """Double a number (a hook asks for approval first)."""
    return 2 * x


class Approval(HookProvider):
    """Interrupts before every ``guarded`` call; anything but ``yes`` cancels the call."""

    def register_hooks(self, registry: HookRegistry, **kwargs: Any) -> None:
        registry.add_callback(BeforeToolCallEvent, self.ask)

    def ask(self, event: BeforeToolCallEvent) -> None:
        if event.tool_use["name"] == "guarded":
            answer = event.interrupt("approve-guarded", reason="guarded?")
            if answer != "yes":
                event.cancel_tool = "refused"


TOOLS = [add, remember, delete, guarded]


def _tool_call(name: str, tag: str, round_: int) -> list[ToolCall]:
    match name:
        case "add":
            return [ToolCall("add", {"a": round_, "b": 2})]
        case "remember":
            return [ToolCall("remember", {"key": tag, "value": round_})]
        case "delete":
            return [ToolCall("delete", {"path": f"/tmp/{tag}"})]
        case "guarded":
            return [ToolCall("guarded", {"x": round_})]
        case "pair":
            return [
                ToolCall("add", {"a": 1, "b": round_}),
                ToolCall("remember", {"key": tag, "value": 9}),
            ]
        case _:
            raise ValueError(name)


def _prompt(messages: Messages) -> tuple[int, re.Match[str]] | None:
    """The latest step prompt in ``messages``: its index and parsed text."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message["role"] != "user":
            continue
        for block in message["content"]:
            match = PROMPT.match(block.get("text", ""))
            if match:
                return index, match
    return None


class DifferentialModel(GuardrailModel):
    """Replies by the plan named in the latest prompt; records every call it receives.

    Args:
        calls: Where each call's input goes (messages, system prompt, tool names).
        kill_at: SIGKILL this process at this call of this model (counted from 1).
    """

    def __init__(self, calls: list[dict[str, Any]], kill_at: int | None = None) -> None:
        super().__init__(self._reply, redact_with=self._redaction)
        self._calls = calls
        self._kill_at = kill_at
        self._count = 0
        self._tool_names: list[str] = []

    def _reply(self, messages: Messages) -> Reply:
        last = messages[-1]["content"] if messages else []
        if any("summarize" in block.get("text", "") for block in last):
            return f"summary of {len(messages) - 1} messages"
        found = _prompt(messages)
        if found is None:
            return "ok"
        index, match = found
        tag = match.group(1)
        if "Weather" in self._tool_names:
            return ToolCall("Weather", {"city": tag, "temp": len(messages)})
        plan = [p for p in match.group(2).split(",") if p]
        round_ = sum(1 for m in messages[index + 1 :] if m["role"] == "assistant")
        if round_ < len(plan):
            return list(_tool_call(plan[round_], tag, round_))
        return f"done {tag} after {round_} rounds"

    def _redaction(self, messages: Messages) -> str | None:
        found = _prompt(messages)
        if found is None or found[0] != len(messages) - 1 or "redact" not in found[1].group(3):
            return None
        return f"[redacted {found[1].group(1)}]"

    async def stream(
        self,
        messages: Messages,
        tool_specs: list[ToolSpec] | None = None,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncIterable[StreamEvent]:
        """Record the call, maybe die or overflow, then reply with deterministic tool ids."""
        self._count += 1
        if self._kill_at is not None and self._count >= self._kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        self._tool_names = sorted(spec["name"] for spec in tool_specs or [])
        self._calls.append(
            {
                "messages": _plain(messages),
                "system": system_prompt,
                "tools": self._tool_names,
            }
        )
        found = _prompt(messages)
        if (
            found is not None
            and "overflow" in found[1].group(3)
            and found[0] == len(messages) - 1
            and len(messages) > OVERFLOW_ABOVE
        ):
            raise ContextWindowOverflowException("scripted overflow")
        # Tool-use ids from the conversation, not a process-wide counter.
        self._ids = iter(range(len(messages) * 10, len(messages) * 10 + 10))  # type: ignore[assignment]
        async for event in super().stream(messages, tool_specs, system_prompt, **kwargs):
            yield event


def _plain(messages: Messages) -> list[dict[str, Any]]:
    return [{"role": m["role"], "content": copy.deepcopy(m["content"])} for m in messages]


def _conversation_manager(kind: str) -> ConversationManager:
    name, _, size = kind.partition(":")
    if name == "window":
        return SlidingWindowConversationManager(
            window_size=int(size), should_truncate_results=False
        )
    if name == "summary":
        return SummarizingConversationManager(summary_ratio=0.5, preserve_recent_messages=int(size))
    return NullConversationManager()


def session_manager(spec: dict[str, Any]) -> SessionManager:
    """The spec's session manager: ``FileSessionManager`` or ours on the local server."""
    if spec["backend"] == "file":
        return FileSessionManager(session_id=spec["session"], storage_dir=spec["storage_dir"])
    journal = spec.get("journal")
    return AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=spec["memory_id"],
            session_id=spec["session"],
            actor_id=ACTOR,
            batch_size=spec.get("batch_size", 1),
            write_mode=spec.get("write_mode", "sync"),
            journal_path=Path(journal) if journal else None,
            create_event_rate=None,
            trace_metadata=False,
            persistence_mode=spec.get("persistence_mode", "FULL"),
        ),
        endpoint_url=spec["endpoint"],
        boto_session=BOTO_SESSION,
    )


def snapshot(agent: Agent, calls: list[dict[str, Any]], outcome: str) -> dict[str, Any]:
    """What the agent holds, what its model received since the last snapshot, how it ended."""
    interrupts = agent._interrupt_state
    report = {
        "agent": agent.agent_id,
        "outcome": outcome,
        "messages": _plain(agent.messages),
        "state": agent.state.get(),
        "window": _without_ids(agent.conversation_manager.get_state()),
        "interrupted": interrupts.activated,
        "interrupts": sorted(
            (i.name, json.dumps(i.response)) for i in interrupts.interrupts.values()
        ),
        "model_received": list(calls),
    }
    calls.clear()
    # As JSON would carry it from a fresh process (tuples become lists).
    normal: dict[str, Any] = json.loads(json.dumps(report))
    return normal


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_ids(v) for k, v in value.items() if k not in ("tracking_id", "metadata")
        }
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _step(agent: Agent, step: dict[str, Any]) -> str:
    """Run one step; return how it ended (a stop reason, or an exception's type).

    An agent stopped on an interrupt is answered (``response``); otherwise the step is its
    structured or plain turn. Both backends hold the same interrupt state, or the snapshots
    already differ.
    """
    try:
        if agent._interrupt_state.activated:
            pending = [
                i.id for i in agent._interrupt_state.interrupts.values() if i.response is None
            ]
            responses: Any = [
                {"interruptResponse": {"interruptId": i, "response": step["response"]}}
                for i in pending
            ]
            result = agent(responses)
        elif step.get("structured"):
            result = agent(f"{step['tag']}||", structured_output_model=Weather)
        else:
            prompt = f"{step['tag']}|{','.join(step['plan'])}|{','.join(step['flags'])}"
            run_async = step.get("async")
            result = asyncio.run(agent.invoke_async(prompt)) if run_async else agent(prompt)
    except Exception as exc:  # both backends must fail the same way
        return type(exc).__name__
    return str(result.stop_reason)


def run_segment(
    spec: dict[str, Any], emit: Callable[[dict[str, Any]], None] | None = None
) -> list[dict[str, Any]]:
    """Restore the agents, then run the steps; one snapshot per agent restored, one per step."""
    kill = spec.get("kill")
    manager = session_manager(spec)
    calls: dict[str, list[dict[str, Any]]] = {}
    agents: dict[str, Agent] = {}
    reports: list[dict[str, Any]] = []

    def report(item: dict[str, Any]) -> None:
        reports.append(item)
        if emit is not None:
            emit(item)

    for index, described in enumerate(spec["agents"]):
        calls[described["id"]] = []
        agent = Agent(
            agent_id=described["id"],
            model=DifferentialModel(calls[described["id"]]),
            tools=list(TOOLS),
            hooks=[Approval()],
            session_manager=manager,
            conversation_manager=_conversation_manager(described["manager"]),
            callback_handler=None,
        )
        agents[described["id"]] = agent
        report(snapshot(agent, calls[described["id"]], f"restored {index}"))
    for index, step in enumerate(spec["steps"]):
        agent = agents[step["agent"]]
        if kill is not None and kill[0] == index:
            model = agent.model
            assert isinstance(model, DifferentialModel)
            model._kill_at = model._count + kill[1]
        outcome = _step(agent, step)
        report(snapshot(agent, calls[step["agent"]], outcome))
    if isinstance(manager, AgentCoreMemorySessionManager):
        manager.close()
    return reports


def main() -> None:
    """Run the segment given as JSON in ``sys.argv[1]``, printing each snapshot as it comes."""

    def emit(item: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(item) + "\n")
        sys.stdout.flush()

    run_segment(json.loads(sys.argv[1]), emit)


if __name__ == "__main__":
    main()
