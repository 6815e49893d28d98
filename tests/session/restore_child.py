"""Restore an agent with Strands' ``FileSessionManager`` or ours, run a few steps, report it.

The restore tests run the same steps through both session managers and compare what the agent
holds after each. The steps run in the test's process (``run``) or in a fresh one
(``python restore_child.py SPEC``, printing the report as JSON), so a restore can be proven to
need nothing from the process that wrote the session.

A spec is JSON: ``backend`` (``file`` with ``storage_dir``, or ``ours`` with ``endpoint`` and
``memory_id``), ``session``, ``manager`` (``null``, ``window:N`` or ``summary:N``), ``script``
(model replies: text, or ``{"tool": NAME, "input": {...}}``), and ``steps``: each a prompt, or
``{"answer": RESPONSE}`` answering every pending interrupt, ``{"structured": PROMPT}``, or
``{"crash": PROMPT}``, a turn whose model call fails where the script says ``{"crash": true}``
(as if the process died there).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
from typing import Any

from pydantic import BaseModel
from strands import Agent, tool
from strands.agent.conversation_manager import (
    ConversationManager,
    NullConversationManager,
    SlidingWindowConversationManager,
    SummarizingConversationManager,
)
from strands.hooks import BeforeToolCallEvent, HookProvider, HookRegistry
from strands.session import FileSessionManager, SessionManager
from strands.types.exceptions import ContextWindowOverflowException

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import ScriptedModel, ToolCall


@tool(context=True)
def delete_file(path: str, tool_context: Any) -> str:
    """Delete a file once a person approves (the tool raises the interrupt)."""
    answer = tool_context.interrupt("approve", reason=f"delete {path}?")
    return f"deleted {path}: {answer}"


@tool
def echo(text: str) -> str:
    """Say it back (needs no approval)."""
    return text


@tool
def add(a: int, b: int) -> int:
    """Add two numbers (a hook asks for approval first)."""
    return a + b


class Weather(BaseModel):
    """A structured answer."""

    city: str
    temp: int


class ApproveAdd(HookProvider):
    """Interrupts before every ``add`` call until it is answered (a hook raises the interrupt)."""

    def register_hooks(self, registry: HookRegistry, **kwargs: Any) -> None:
        registry.add_callback(BeforeToolCallEvent, self.ask)

    def ask(self, event: BeforeToolCallEvent) -> None:
        if event.tool_use["name"] == "add":
            answer = event.interrupt("approve-add", reason="add?")
            if answer != "yes":
                event.cancel_tool = "refused"


class Crash(Exception):
    """Stands for the process dying mid-turn."""


def _script(raw: list[Any]) -> Any:
    """The model's replies; ``{"overflow": true}`` makes that call overflow the context."""
    replies = iter(raw)

    def respond(_: Any) -> Any:
        reply = next(replies)
        if isinstance(reply, dict) and reply.get("overflow"):
            raise ContextWindowOverflowException("scripted overflow")
        if isinstance(reply, dict) and reply.get("crash"):
            raise Crash("the process dies here")
        if isinstance(reply, list):  # several tool calls (and text) in one reply
            return [_part(part) for part in reply]
        return _part(reply)

    return respond


def _part(reply: Any) -> Any:
    return ToolCall(reply["tool"], reply.get("input", {})) if isinstance(reply, dict) else reply


def _conversation_manager(kind: str) -> ConversationManager:
    name, _, size = kind.partition(":")
    if name == "window":
        return SlidingWindowConversationManager(
            window_size=int(size), should_truncate_results=False
        )
    if name == "summary":
        return SummarizingConversationManager(summary_ratio=0.5, preserve_recent_messages=int(size))
    return NullConversationManager()


def _session_manager(spec: dict[str, Any]) -> SessionManager:
    if spec["backend"] == "file":
        return FileSessionManager(session_id=spec["session"], storage_dir=spec["storage_dir"])
    if spec["backend"] == "sdk":  # the bedrock-agentcore SDK's manager, on the same memory
        return _sdk_manager(spec)
    return AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=spec["memory_id"],
            session_id=spec["session"],
            actor_id="restorer",
            batch_size=spec.get("batch_size", 1),
            create_event_rate=None,
            trace_metadata=False,
        ),
        endpoint_url=spec["endpoint"],
    )


def _sdk_manager(spec: dict[str, Any]) -> SessionManager:
    import boto3
    from bedrock_agentcore.memory.integrations.strands import config, session_manager

    from agentcore_memory_otel.wire.loopback import LOCAL_CREDENTIALS

    # The SDK builds its client from the environment's endpoint, when it is constructed.
    key = "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"
    before = os.environ.get(key)
    os.environ[key] = spec["endpoint"]
    try:
        sdk_manager: SessionManager = session_manager.AgentCoreMemorySessionManager(
            config.AgentCoreMemoryConfig(
                memory_id=spec["memory_id"], session_id=spec["session"], actor_id="restorer"
            ),
            boto_session=boto3.Session(region_name="us-east-1", **LOCAL_CREDENTIALS),
        )
    finally:
        if before is None:
            del os.environ[key]
        else:
            os.environ[key] = before
    return sdk_manager


def build(spec: dict[str, Any], script: list[Any]) -> tuple[Agent, SessionManager]:
    """A fresh session manager and agent on the spec's session (restoring it if stored)."""
    manager = _session_manager(spec)
    agent = Agent(
        model=ScriptedModel(_script(script)),
        tools=[delete_file, add, echo],
        hooks=[ApproveAdd()],
        session_manager=manager,
        conversation_manager=_conversation_manager(spec.get("manager", "null")),
        callback_handler=None,
    )
    return agent, manager


def snapshot(agent: Agent) -> dict[str, Any]:
    """What the agent holds, without the ids that differ from run to run."""
    messages = [{"role": m["role"], "content": m["content"]} for m in agent.messages]
    interrupts = agent._interrupt_state
    return {
        "messages": messages,
        "state": agent.state.get(),
        "window": _without_ids(agent.conversation_manager.get_state()),
        "interrupted": interrupts.activated,
        "interrupts": sorted(i.name for i in interrupts.interrupts.values()),
    }


def _without_ids(value: Any) -> Any:
    """``value`` without the tracking ids and usage metadata that differ from run to run."""
    if isinstance(value, dict):
        return {
            k: _without_ids(v) for k, v in value.items() if k not in ("tracking_id", "metadata")
        }
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def run(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Restore, then run each step; a snapshot after the restore and after each step."""
    agent, manager = build(spec, spec.get("script", []))
    reports = [snapshot(agent)]
    for step in spec.get("steps", []):
        if isinstance(step, dict) and "answer" in step:
            waiting = [i for i in agent._interrupt_state.interrupts.values() if i.response is None]
            # Answered in reverse order of raising, or only the first few, when the step says so.
            waiting.sort(key=lambda i: i.reason or "", reverse=bool(step.get("reverse")))
            pending = [i.id for i in waiting][: step.get("only")]
            responses: Any = [
                {"interruptResponse": {"interruptId": i, "response": step["answer"]}}
                for i in pending
            ]
            agent(responses)
        elif isinstance(step, dict) and "refused" in step:
            try:  # a step Strands refuses (a prompt while an interrupt waits): note the error
                agent(step["refused"])
            except Exception as exc:
                reports.append({"refused": type(exc).__name__})
                continue
        elif isinstance(step, dict) and "crash" in step:
            try:
                agent(step["crash"])
            except Exception as exc:  # the model's Crash, wrapped or not
                assert "process dies" in repr(exc) or isinstance(exc.__cause__, Crash), exc
        elif isinstance(step, dict) and "structured" in step:
            agent(step["structured"], structured_output_model=Weather)
        else:
            agent(step)
        reports.append(snapshot(agent))
    if isinstance(manager, AgentCoreMemorySessionManager) or spec["backend"] == "sdk":
        manager.close()  # type: ignore[attr-defined]
    normalised: list[dict[str, Any]] = normalise(reports)
    return normalised


def normalise(value: Any) -> Any:
    """Tool-use ids renamed by order of appearance (the scripted model counts them per process)."""
    text = json.dumps(value, sort_keys=True)
    names: dict[str, str] = {}
    text = re.sub(r"tooluse_\d+", lambda m: names.setdefault(m.group(), f"t{len(names)}"), text)
    return json.loads(text)


if __name__ == "__main__":
    # Tool-use ids must not repeat those the session already holds from other processes.
    ScriptedModel._ids = itertools.count(10**6 * (1 + os.getpid() % 1000))
    print(json.dumps(run(json.loads(sys.argv[1]))))
