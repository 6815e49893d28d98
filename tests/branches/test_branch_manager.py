"""A session manager on a branch: restores the branch and its parents' events, writes on it.

Real Strands agents with scripted models, real boto3 against the local server.
"""

from __future__ import annotations

from typing import Any

import pytest
from strands import Agent
from strands.agent.conversation_manager import SlidingWindowConversationManager
from strands.session import FileSessionManager

from agentcore_memory_otel import fork_session
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall
from agentcore_memory_otel.wire.branches import BranchNotFoundError

from ..support import (
    ACTOR,
    SESSION,
    ManagerFactory,
    add,
    calls,
    make_agent,
    no_trim,
    remember,
)
from .support import raw_events, texts, traced_turn


def _three_turns(make_manager: ManagerFactory, **fields: Any) -> list[str]:
    agent = make_agent(make_manager(**fields), ["a1", "a2", "a3"], conversation_manager=no_trim())
    return [traced_turn(agent, prompt) for prompt in ("q1", "q2", "q3")]


def _main_only(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["branch"]["name"] == "main"]


def test_a_fork_before_a_trace_resumes_without_it_and_main_is_untouched(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    traces = _three_turns(make_manager)
    original = raw_events(server, memory_id)
    fork = fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="retry-1",
        trace_id=traces[1],
        position="before",
        client=server.client(),
    )
    assert fork.parent == "main"
    assert fork.calls == {"ListEvents": 2, "CreateEvent": 1}
    assert "branch='retry-1'" in fork.config_line()

    branch_agent = make_agent(
        make_manager(branch="retry-1"), ["b2"], conversation_manager=no_trim()
    )
    assert texts(branch_agent) == [("user", "q1"), ("assistant", "a1")]
    branch_agent("q2 again")

    resumed = make_agent(make_manager(branch="retry-1"), [], conversation_manager=no_trim())
    assert texts(resumed) == [
        ("user", "q1"),
        ("assistant", "a1"),
        ("user", "q2 again"),
        ("assistant", "b2"),
    ]
    main = make_agent(make_manager(), [], conversation_manager=no_trim())
    assert [text for _, text in texts(main)] == ["q1", "a1", "q2", "a2", "q3", "a3"]
    # main's events are those it had, byte for byte; the branch's went on the branch.
    after = raw_events(server, memory_id)
    assert _main_only(after) == original
    assert {e["branch"]["name"] for e in after} == {"main", "retry-1"}
    assert all(
        e["branch"] == {"name": "retry-1", "rootEventId": fork.root_event_id}
        for e in after
        if e["branch"]["name"] != "main"
    )


def test_a_fork_after_a_trace_keeps_it(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    traces = _three_turns(make_manager)
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="after-2",
        trace_id=traces[1].upper(),  # any form find_events takes
        client=server.client(),
    )
    agent = make_agent(make_manager(branch="after-2"), [], conversation_manager=no_trim())
    assert [text for _, text in texts(agent)] == ["q1", "a1", "q2", "a2"]


def test_a_branch_without_events_is_refused_before_any_write(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _three_turns(make_manager)
    before = raw_events(server, memory_id)
    with pytest.raises(BranchNotFoundError, match="branch 'nowhere' has no events"):
        make_manager(branch="nowhere")
    assert raw_events(server, memory_id) == before


def test_restoring_a_branch_costs_what_restoring_main_costs(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    traces = _three_turns(make_manager)
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="b",
        trace_id=traces[2],
        client=server.client(),
    )
    server.stats.reset()
    make_agent(make_manager(), [], conversation_manager=no_trim())
    on_main = calls(server)
    server.stats.reset()
    make_agent(make_manager(branch="b"), [], conversation_manager=no_trim())
    assert calls(server) == on_main == {"CreateEvent": 0, "ListEvents": 1}


def _crash_in_second_turn(manager: Any) -> Any:
    """q1 answered; q2 asks for a tool, whose result is stored, then the model call dies."""
    replies: list[Any] = ["a1", ToolCall("add", {"a": 1, "b": 2})]

    def reply(_: Any) -> Any:
        if not replies:
            raise RuntimeError("the process died here")
        return replies.pop(0)

    agent = make_agent(manager, reply, conversation_manager=no_trim())
    first = traced_turn(agent, "q1")
    with pytest.raises(Exception, match="died"):  # Strands wraps it
        traced_turn(agent, "q2")
    return first


def _shape(agent: Any) -> list[list[str]]:
    """Each message's role and block kinds (tool ids differ between runs)."""
    return [[m["role"], *(next(iter(b)) for b in m["content"])] for m in agent.messages]


def test_a_fork_after_an_unfinished_turn_continues_as_file_session_manager_does(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, tmp_path: Any
) -> None:
    _crash_in_second_turn(make_manager())
    unfinished = raw_events(server, memory_id)[0]  # the newest: the stored toolResult
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="after-crash",
        trace_id=unfinished["metadata"]["traceId"]["stringValue"],
        client=server.client(),
    )
    ours = make_agent(make_manager(branch="after-crash"), ["b3"], conversation_manager=no_trim())
    ours("q3")

    file_dir = str(tmp_path / "file")
    _crash_in_second_turn(FileSessionManager(session_id=SESSION, storage_dir=file_dir))
    reference = Agent(
        model=ScriptedModel(["b3"]),
        session_manager=FileSessionManager(session_id=SESSION, storage_dir=file_dir),
        tools=[add, remember],
        conversation_manager=no_trim(),
        callback_handler=None,
    )
    reference("q3")
    assert _shape(ours) == _shape(reference)
    assert texts(ours) == texts(reference)
    # And it restores the same again, from the branch.
    again = make_agent(make_manager(branch="after-crash"), [], conversation_manager=no_trim())
    assert _shape(again) == _shape(reference)


def test_a_branch_reads_through_the_newer_events_of_other_branches(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """The branch filter applies after the scan: 100 newer events of main cost a page."""
    window = {"conversation_manager": SlidingWindowConversationManager(window_size=4)}
    agent = make_agent(make_manager(batch_size=1), [f"a{i}" for i in range(62)], **window)
    agent("q0")
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="early",
        turn=1,
        client=server.client(),
    )
    for i in range(1, 62):  # 122 more events on main
        agent(f"q{i}")
    server.stats.reset()
    make_agent(make_manager(), [], conversation_manager=SlidingWindowConversationManager(4))
    assert calls(server)["ListEvents"] == 1
    server.stats.reset()
    branch = make_agent(
        make_manager(branch="early"), [], conversation_manager=SlidingWindowConversationManager(4)
    )
    assert calls(server)["ListEvents"] == 2
    assert [t for _, t in texts(branch)] == ["q0", "a0"]


@pytest.mark.parametrize("k", [3, 4])
def test_a_fork_carries_the_window_its_turn_left_behind(
    k: int, make_manager: ManagerFactory, memory_id: str, server: LocalMemoryServer, tmp_path: Any
) -> None:
    """The window a turn trims at its end is stored with the next turn's first message, after
    the fork point: the fork carries it, so the branch restores what FileSessionManager does."""

    def window_agent(manager: Any, replies: list[str]) -> Agent:
        return Agent(
            model=ScriptedModel(replies),
            session_manager=manager,
            conversation_manager=SlidingWindowConversationManager(window_size=4),
            callback_handler=None,
        )

    original = window_agent(make_manager(), [f"a{i}" for i in range(5)])
    for i in range(5):
        original(f"q{i}")
    fork = fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch=f"turn-{k}",
        turn=k,
        client=server.client(),
    )
    on_branch = window_agent(make_manager(branch=fork.branch), [])

    file_dir = str(tmp_path / "file")
    reference = window_agent(
        FileSessionManager(session_id=SESSION, storage_dir=file_dir), [f"a{i}" for i in range(k)]
    )
    for i in range(k):
        reference(f"q{i}")
    restored = window_agent(FileSessionManager(session_id=SESSION, storage_dir=file_dir), [])
    assert texts(on_branch) == texts(restored)
    assert (
        on_branch.conversation_manager.removed_message_count
        == restored.conversation_manager.removed_message_count
        > 0
    )
