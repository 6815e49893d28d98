"""Graph and Swarm scenarios with scripted agents, run against any Strands session manager.

The same scenario runs once with Strands' own ``FileSessionManager`` and once with this
package's manager, and the tests compare what each produced.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from strands import Agent
from strands.multiagent import GraphBuilder, Swarm
from strands.multiagent.base import MultiAgentBase
from strands.session import FileSessionManager
from strands.session.session_manager import SessionManager

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import Reply, ScriptedModel, ToolCall

from ..support import ACTOR, SESSION

# A node's behaviour: its replies, or a function of the conversation that may raise (a crash).
Script = Sequence[Reply] | Callable[[Any], Reply]


def crash(_: Any) -> Reply:
    """A model call that fails, as a node whose dependency is down."""
    raise RuntimeError("node crashed")


@dataclass
class Run:
    """One orchestrator and the scripted models of its nodes, to count what ran."""

    orchestrator: MultiAgentBase
    models: dict[str, ScriptedModel]

    def model_calls(self) -> dict[str, int]:
        """Model calls made so far, by node."""
        return {name: model.calls for name, model in self.models.items()}


def _agent(name: str, script: Script) -> tuple[Agent, ScriptedModel]:
    model = ScriptedModel(script)
    return Agent(model=model, name=name, agent_id=name, callback_handler=None), model


def graph(manager: SessionManager, scripts: Mapping[str, Script]) -> Run:
    """A chain graph ``research -> write -> review`` (nodes named by ``scripts``' keys)."""
    builder = GraphBuilder()
    models: dict[str, ScriptedModel] = {}
    names = list(scripts)
    for name in names:
        agent, models[name] = _agent(name, scripts[name])
        builder.add_node(agent, name)
    for source, target in itertools.pairwise(names):
        builder.add_edge(source, target)
    builder.set_graph_id("pipeline")
    builder.set_max_node_executions(10)
    builder.set_session_manager(manager)
    return Run(builder.build(), models)


def handoff(to: str) -> ToolCall:
    """A scripted reply that hands the swarm over to ``to``."""
    return ToolCall("handoff_to_agent", {"agent_name": to, "message": f"over to {to}"})


def swarm(manager: SessionManager, scripts: Mapping[str, Script]) -> Run:
    """A swarm of the scripted agents, entered at the first one."""
    models: dict[str, ScriptedModel] = {}
    agents: list[Agent] = []
    for name, script in scripts.items():
        agent, models[name] = _agent(name, script)
        agents.append(agent)
    built = Swarm(agents, id="team", session_manager=manager, max_handoffs=10)
    return Run(built, models)


def outcome(result: Any) -> dict[str, Any]:
    """What a Graph or Swarm result says, without timings or usage."""
    order = getattr(result, "execution_order", None) or getattr(result, "node_history", [])
    return {
        "status": result.status.value,
        "order": [node.node_id for node in order],
        "results": {
            node_id: (node_result.status.value, str(node_result.result).strip())
            for node_id, node_result in result.results.items()
        },
    }


def comparable_state(orchestrator: MultiAgentBase) -> dict[str, Any]:
    """``serialize_state()`` without wall-clock figures and random message tracking ids."""
    state = orchestrator.serialize_state()
    for key in ("execution_time", "accumulated_metrics"):
        state.pop(key, None)
    for node_result in state.get("node_results", {}).values():
        _drop_timings(node_result)
    return state


def _drop_timings(value: Any) -> None:
    if isinstance(value, dict):
        for key in ("execution_time", "accumulated_metrics", "latencyMs", "metrics", "tracking_id"):
            value.pop(key, None)
        for item in value.values():
            _drop_timings(item)
    elif isinstance(value, list):
        for item in value:
            _drop_timings(item)


def die(_: Any) -> Reply:
    """A model call during which the process is killed (kill -9: no cleanup, no hooks)."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def main(argv: list[str]) -> None:
    """Run a scenario in a child process that is killed inside its second node.

    Usage: ``python -m tests.session.multi_agent_scenarios graph|swarm file DIR`` or
    ``... graph|swarm agentcore ENDPOINT MEMORY_ID``.
    """
    kind, store, *where = argv
    manager: SessionManager
    if store == "file":
        manager = FileSessionManager(session_id=SESSION, storage_dir=where[0])
    else:
        config = AgentCoreMemoryConfig(memory_id=where[1], session_id=SESSION, actor_id=ACTOR)
        manager = AgentCoreMemorySessionManager(config, endpoint_url=where[0])
    if kind == "graph":
        run = graph(manager, {"research": ["facts"], "write": die, "review": ["approved"]})
    else:
        run = swarm(manager, {"triage": [handoff("billing"), "handed over"], "billing": die})
    run.orchestrator("the task")


if __name__ == "__main__":
    main(sys.argv[1:])
