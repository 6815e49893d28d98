"""Graph and Swarm persistence, side by side with Strands' own FileSessionManager."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from strands import Agent
from strands.multiagent import GraphBuilder
from strands.multiagent.base import Status
from strands.session import FileSessionManager
from strands.session.session_manager import SessionManager

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

from .conftest import SESSION, ManagerFactory, calls, stored_events
from .multi_agent_scenarios import (
    Run,
    Script,
    comparable_state,
    crash,
    graph,
    handoff,
    outcome,
    swarm,
)

Managers = Callable[[], SessionManager]


def both(make: Callable[[Managers], Any], tmp_path: Path, make_manager: ManagerFactory) -> Any:
    """Run a scenario with FileSessionManager, then with ours; return both outcomes."""
    file_dir = tmp_path / "file"
    file_outcome = make(lambda: FileSessionManager(session_id=SESSION, storage_dir=str(file_dir)))
    ours = make(lambda: make_manager())
    return file_outcome, ours


GRAPH: dict[str, Script] = {"research": ["facts"], "write": ["draft"], "review": ["approved"]}


def graph_crash_then_resume(new: Managers) -> dict[str, Any]:
    """The middle node crashes; a new process resumes the graph at that node."""
    first = graph(new(), {**GRAPH, "write": crash})
    with pytest.raises(RuntimeError, match="node crashed"):
        first.orchestrator("write a report")
    second = graph(new(), GRAPH)
    restored = comparable_state(second.orchestrator)
    result = second.orchestrator("write a report")
    return {
        "restored": restored,
        "outcome": outcome(result),
        "first_calls": first.model_calls(),
        "second_calls": second.model_calls(),
    }


def test_graph_resumes_at_the_failed_node_like_file_session_manager(
    tmp_path: Path, make_manager: ManagerFactory
) -> None:
    file_run, ours = both(graph_crash_then_resume, tmp_path, make_manager)
    assert ours == file_run
    # The completed node did not run again; the failed one and its successor did.
    assert ours["second_calls"] == {"research": 0, "write": 1, "review": 1}
    assert ours["restored"]["next_nodes_to_execute"] == ["write"]
    assert ours["outcome"]["order"] == ["research", "write", "review"]


def graph_completed_then_rerun(new: Managers) -> dict[str, Any]:
    """A completed graph restored in a new process runs its next task from the start."""
    script = {name: ["once", "again"] for name in GRAPH}
    first = graph(new(), script)
    first_outcome = outcome(first.orchestrator("task one"))
    second = graph(new(), script)
    restored_status = second.orchestrator.serialize_state()["status"]
    second_outcome = outcome(second.orchestrator("task two"))
    return {
        "first": first_outcome,
        "restored_status": restored_status,
        "second": second_outcome,
        "second_calls": second.model_calls(),
    }


def test_completed_graph_restores_like_file_session_manager(
    tmp_path: Path, make_manager: ManagerFactory
) -> None:
    file_run, ours = both(graph_completed_then_rerun, tmp_path, make_manager)
    assert ours == file_run
    assert ours["second"]["status"] == Status.COMPLETED.value
    assert ours["second_calls"] == {"research": 1, "write": 1, "review": 1}


SWARM: dict[str, Script] = {
    "triage": [handoff("billing"), "handed over"],
    "billing": ["refund issued"],
}


def swarm_crash_then_resume(new: Managers) -> dict[str, Any]:
    """The node handed to crashes; a new process resumes the swarm as Strands does."""
    first = swarm(new(), {**SWARM, "billing": crash})
    first_outcome = outcome(first.orchestrator("refund my order"))  # a Swarm reports, not raises
    second = swarm(new(), SWARM)
    restored = comparable_state(second.orchestrator)
    try:
        result: Any = outcome(second.orchestrator("refund my order"))
    except RuntimeError as exc:  # both managers must fail the same way if they fail
        result = repr(exc)
    return {
        "first": first_outcome,
        "restored": restored,
        "outcome": result,
        "first_calls": first.model_calls(),
        "second_calls": second.model_calls(),
    }


def test_swarm_resumes_like_file_session_manager(
    tmp_path: Path, make_manager: ManagerFactory
) -> None:
    file_run, ours = both(swarm_crash_then_resume, tmp_path, make_manager)
    assert ours == file_run
    assert ours["first"]["status"] == Status.FAILED.value


def swarm_completed_then_restored(new: Managers) -> dict[str, Any]:
    first = swarm(new(), SWARM)
    first_outcome = outcome(first.orchestrator("refund my order"))
    second = swarm(new(), SWARM)
    return {"first": first_outcome, "restored": comparable_state(second.orchestrator)}


def test_completed_swarm_restores_like_file_session_manager(
    tmp_path: Path, make_manager: ManagerFactory
) -> None:
    file_run, ours = both(swarm_completed_then_restored, tmp_path, make_manager)
    assert ours == file_run
    assert ours["first"]["order"] == ["triage", "billing"]


def test_graph_costs_one_create_event_per_node_and_one_per_run(
    server: LocalMemoryServer, make_manager: ManagerFactory, memory_id: str
) -> None:
    server.stats.reset()
    run = graph(make_manager(), GRAPH)
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 1}
    server.stats.reset()
    run.orchestrator("write a report")
    # One checkpoint after each of the three nodes, one when the run completes.
    assert calls(server) == {"CreateEvent": 4, "ListEvents": 0}
    assert server.stats.count() == 4
    events = stored_events(server, memory_id)
    assert [e["metadata"]["stateType"]["stringValue"] for e in events] == ["MULTI_AGENT"] * 4
    # The session record rode on the first checkpoint.
    assert [len(e["payload"]) for e in events] == [2, 1, 1, 1]


CHAIN: dict[str, Script] = {
    "triage": [handoff("billing"), "handed over"],
    "billing": [handoff("refunds"), "passed on"],
    "refunds": ["refund issued"],
}


@pytest.mark.parametrize(("scripts", "handoffs"), [(SWARM, 1), (CHAIN, 2)])
def test_swarm_costs_one_create_event_per_handoff_plus_two(
    server: LocalMemoryServer,
    make_manager: ManagerFactory,
    scripts: dict[str, Script],
    handoffs: int,
) -> None:
    run = swarm(make_manager(), scripts)
    server.stats.reset()
    result = run.orchestrator("refund my order")
    assert len(outcome(result)["order"]) == handoffs + 1
    # A checkpoint after each node turn (one per handoff, plus the first node's), and one
    # when the run completes.
    assert calls(server) == {"CreateEvent": handoffs + 2, "ListEvents": 0}


def test_restoring_a_graph_reads_the_session_once(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    graph(make_manager(), GRAPH).orchestrator("write a report")
    server.stats.reset()
    run = graph(make_manager(), GRAPH)
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 1}
    # A completed run is reset so that the next task runs from the start.
    assert run.orchestrator.serialize_state()["status"] == Status.PENDING.value


def test_an_unchanged_checkpoint_is_not_written(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    manager = make_manager()
    run = graph(manager, GRAPH)
    run.orchestrator("write a report")
    server.stats.reset()
    manager.sync_multi_agent(run.orchestrator)
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 0}


def killed_then_resumed(
    kind: str, child_args: list[str], new: Managers, scripts: dict[str, Any]
) -> dict[str, Any]:
    """Kill -9 a child process inside the second node, then resume in this process."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    child = subprocess.run(
        [sys.executable, "-m", "tests.session.multi_agent_scenarios", kind, *child_args],
        cwd=root,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    build = graph if kind == "graph" else swarm
    run = build(new(), scripts)
    restored = comparable_state(run.orchestrator)
    result = outcome(run.orchestrator("the task"))
    return {"restored": restored, "outcome": result, "calls": run.model_calls()}


@pytest.mark.parametrize("kind", ["graph", "swarm"])
def test_a_killed_process_resumes_like_file_session_manager(
    kind: str,
    tmp_path: Path,
    server: LocalMemoryServer,
    memory_id: str,
    make_manager: ManagerFactory,
) -> None:
    scripts = GRAPH if kind == "graph" else SWARM
    file_dir = tmp_path / "file"
    file_run = killed_then_resumed(
        kind,
        ["file", str(file_dir)],
        lambda: FileSessionManager(session_id=SESSION, storage_dir=str(file_dir)),
        scripts,
    )
    ours = killed_then_resumed(
        kind, ["agentcore", server.endpoint_url, memory_id], lambda: make_manager(), scripts
    )
    assert ours == file_run
    # The node finished before the kill is not run again.
    if kind == "graph":
        assert ours["restored"]["next_nodes_to_execute"] == ["write"]
        assert ours["calls"] == {"research": 0, "write": 1, "review": 1}
    else:
        assert ours["restored"]["next_nodes_to_execute"] == ["billing"]
        assert ours["calls"] == {"triage": 0, "billing": 1}
    assert ours["outcome"]["status"] == Status.COMPLETED.value


def test_a_nested_swarm_with_its_own_session_manager_keeps_working(
    make_manager: ManagerFactory,
) -> None:
    """Strands refuses Agent nodes with a session manager, but a nested Swarm may have one."""

    def build(billing: Script) -> tuple[Any, Run, ScriptedModel]:
        team = swarm(make_manager(session_id="team-session"), {**SWARM, "billing": billing})
        intake_model = ScriptedModel(["logged"])
        intake = Agent(model=intake_model, agent_id="intake", callback_handler=None)
        builder = GraphBuilder()
        builder.add_node(intake, "intake")
        builder.add_node(team.orchestrator, "team")
        builder.add_edge("intake", "team")
        builder.set_graph_id("outer")
        builder.set_max_node_executions(10)
        builder.set_session_manager(make_manager())
        return builder.build(), team, intake_model

    outer, _, _ = build(crash)
    assert outer("refund my order").status is Status.FAILED  # the swarm node failed
    outer, team, intake_model = build(["refund issued"])
    assert outer.serialize_state()["next_nodes_to_execute"] == ["team"]
    result = outer("refund my order")
    assert intake_model.calls == 0  # the outer graph resumed at the swarm node
    # The swarm, restored from its own session, ran again from its start, as Strands does.
    assert team.model_calls() == {"triage": 2, "billing": 1}
    assert result.results["team"].status is Status.COMPLETED


def test_a_checkpoint_rides_on_a_buffered_message_event(
    server: LocalMemoryServer, make_manager: ManagerFactory, memory_id: str
) -> None:
    # Without trace stamps: with an SDK tracer provider made global (by a test run earlier in
    # the process), the graph's checkpoints carry a trace the message does not, and one event
    # holds one trace, so the count would depend on which tests ran first.
    manager = make_manager(batch_size=10, trace_metadata=False)
    chat = Agent(model=ScriptedModel([]), agent_id="chat", session_manager=manager)
    manager.append_message({"role": "user", "content": [{"text": "start the pipeline"}]}, chat)
    run = graph(manager, GRAPH)
    server.stats.reset()
    run.orchestrator("write a report")
    # Still one call per node and one per run: the first checkpoint took the message along.
    assert calls(server) == {"CreateEvent": 4, "ListEvents": 0}
    first = stored_events(server, memory_id)[0]
    assert first["metadata"]["stateType"] == {"stringValue": "MULTI_AGENT"}
    assert first["metadata"]["agentId"] == {"stringValue": "chat"}
    assert "conversational" in first["payload"][0]
    assert '"multi_agent_id": "pipeline"' in first["payload"][-1]["blob"]
