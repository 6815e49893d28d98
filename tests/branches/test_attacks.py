"""Attacks on branches: journals shared with main, hostile stored branch data, bad names,
concurrent writers on one branch, and a branch whose root event is deleted."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from agentcore_memory_otel import AgentCoreMemoryConfig, ForkError, fork_session
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.branch_tree import BranchTree
from agentcore_memory_otel.wire.branches import BranchView, event_branch

from ..support import ACTOR, SESSION, ManagerFactory, make_agent, no_trim
from .support import TRACER, raw_events, texts


def _main_turn_then_fork(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    make_agent(make_manager(), ["a1"], conversation_manager=no_trim())("q1")
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="b",
        turn=1,
        client=server.client(),
    )


def _main(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if event_branch(e) == "main"]


def test_a_journal_shared_by_main_and_a_branch_replays_each_on_its_own(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    _main_turn_then_fork(make_manager, server, memory_id)
    journal = tmp_path / "journal.db"
    on_branch = make_agent(
        make_manager(branch="b", journal_path=journal), ["b2"], conversation_manager=no_trim()
    )
    server.faults.fail_next("CreateEvent", 1000)
    with contextlib.suppress(Exception):  # the sync write fails inside the turn
        on_branch("q2 on b")
    server.faults.reset()
    main_before = _main(raw_events(server, memory_id))

    # A manager of main on the same journal replays nothing of the branch's...
    main = make_agent(make_manager(journal_path=journal), [], conversation_manager=no_trim())
    assert texts(main) == [("user", "q1"), ("assistant", "a1")]
    assert _main(raw_events(server, memory_id)) == main_before
    # ...and the next manager of the branch replays it onto the branch.
    resumed = make_agent(
        make_manager(branch="b", journal_path=journal), [], conversation_manager=no_trim()
    )
    # (The failed write stopped that turn before the model answered.)
    assert [t for _, t in texts(resumed)] == ["q1", "a1", "q2 on b"]
    assert event_branch(raw_events(server, memory_id)[0]) == "b"
    assert _main(raw_events(server, memory_id)) == main_before


def test_a_killed_branch_managers_unplanned_entries_never_go_to_main(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    _main_turn_then_fork(make_manager, server, memory_id)
    journal = tmp_path / "journal.db"
    killed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.branches.journal_child",
            server.endpoint_url,
            memory_id,
            str(journal),
        ],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    main_before = _main(raw_events(server, memory_id))
    main = make_agent(make_manager(journal_path=journal), [], conversation_manager=no_trim())
    assert texts(main) == [("user", "q1"), ("assistant", "a1")]
    assert _main(raw_events(server, memory_id)) == main_before
    resumed = make_agent(
        make_manager(branch="b", journal_path=journal), [], conversation_manager=no_trim()
    )
    assert [t for _, t in texts(resumed)] == ["q1", "a1", "q2 on b"]
    assert _main(raw_events(server, memory_id)) == main_before


def test_two_managers_writing_one_branch_at_once_keep_every_message(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _main_turn_then_fork(make_manager, server, memory_id)
    agents = [
        make_agent(make_manager(branch="b"), [f"r{i}"], conversation_manager=no_trim())
        for i in range(2)
    ]
    threads = [threading.Thread(target=a, args=(f"p{i}",)) for i, a in enumerate(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    restored = make_agent(make_manager(branch="b"), [], conversation_manager=no_trim())
    words = [t for _, t in texts(restored)]
    assert words[:2] == ["q1", "a1"] and sorted(words[2:]) == ["p0", "p1", "r0", "r1"]
    assert [t for _, t in texts(make_agent(make_manager(), []))] == ["q1", "a1"]


@pytest.mark.parametrize(
    "name",
    ["", "main branch", "a" * 101, "-lead", "caf\u00e9", "x\ud800", "a/b", "a:b"],
    ids=["empty", "space", "101", "dash", "unicode", "surrogate", "slash", "colon"],
)
def test_a_bad_branch_name_is_refused_naming_the_field(name: str, memory_id: str) -> None:
    with pytest.raises(ValidationError, match="branch"):
        AgentCoreMemoryConfig(memory_id=memory_id, actor_id=ACTOR, session_id=SESSION, branch=name)
    with pytest.raises(ValueError, match="branch"):
        fork_session(memory_id=memory_id, actor_id=ACTOR, session_id=SESSION, branch=name, turn=1)


@pytest.mark.parametrize(
    "branch",
    [None, "main", 7, [], {"name": 7}, {"name": ""}, {"rootEventId": "1#ab"}, {"name": None}],
)
def test_hostile_branch_members_read_as_main(branch: Any) -> None:
    event = {"eventId": "1#ab", "branch": branch}
    assert event_branch(event) == "main"
    assert BranchView().admit([event]) == [event]
    assert BranchTree([event]).summaries()[0]["name"] == "main"


def test_roots_naming_each_other_do_not_hang_the_tree() -> None:
    events = [
        {"eventId": "1#a", "branch": {"name": "x", "rootEventId": "2#b"}},
        {"eventId": "2#b", "branch": {"name": "y", "rootEventId": "1#a"}},
    ]
    tree = BranchTree(events)
    assert sorted(row["name"] for row in tree.summaries()) == ["x", "y"]
    assert [e["eventId"] for e in tree.view("x")] == ["1#a", "2#b"]


def test_a_branch_whose_root_event_is_deleted_keeps_its_own_events(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _main_turn_then_fork(make_manager, server, memory_id)
    make_agent(make_manager(branch="b"), ["b2"], conversation_manager=no_trim())("q2")
    tree = BranchTree(raw_events(server, memory_id)[::-1])
    root = tree.branches["b"].root_event_id
    assert root is not None
    server.client().delete_event(memoryId=memory_id, actorId=ACTOR, sessionId=SESSION, eventId=root)
    # The service shows the branch's own events only...
    restored = make_agent(make_manager(branch="b"), ["b3"], conversation_manager=no_trim())
    assert [t for _, t in texts(restored)] == ["q2", "b2"]
    # ...and refuses new events naming the missing root: the failure names it, and the
    # message stays buffered (nothing is dropped).
    with pytest.raises(Exception, match=f"Event {root} not found"):
        restored("q3")


def test_forking_a_session_that_does_not_exist_says_so(
    server: LocalMemoryServer, memory_id: str
) -> None:
    with pytest.raises(ForkError, match=r"session 'nothing-here' of actor .* has no events"):
        fork_session(
            memory_id=memory_id,
            actor_id=ACTOR,
            session_id="nothing-here",
            branch="b",
            turn=1,
            client=server.client(),
        )


def test_forking_before_the_first_event_says_why_not(
    server: LocalMemoryServer, memory_id: str
) -> None:
    server.client().create_event(
        memoryId=memory_id,
        actorId=ACTOR,
        sessionId=SESSION,
        eventTimestamp=1_700_000_000,
        payload=[{"conversational": {"role": "USER", "content": {"text": "hello"}}}],
    )
    with pytest.raises(ForkError, match="nothing comes before the session's first event"):
        fork_session(
            memory_id=memory_id,
            actor_id=ACTOR,
            session_id=SESSION,
            branch="b",
            event_id=raw_events(server, memory_id)[0]["eventId"],
            position="before",
            client=server.client(),
        )


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"turn": 1, "position": "sideways"}, "position must be 'before' or 'after'"),
        ({"turn": 0}, "turn counts from 1"),
        ({"turn": True}, "turn counts from 1"),
        ({}, "give exactly one of trace_id, turn and event_id (got none)"),
        ({"turn": 1, "event_id": "1#ab"}, "(got turn, event_id)"),
        ({"trace_id": "not-a-trace"}, "not a trace id"),
        ({"turn": 1, "from_branch": "bad name"}, "from_branch"),
    ],
)
def test_bad_fork_arguments_are_refused_before_any_call(
    arguments: dict[str, Any], words: str, server: LocalMemoryServer, memory_id: str
) -> None:
    server.stats.reset()
    with pytest.raises(ValueError) as raised:
        fork_session(
            memory_id=memory_id,
            actor_id=ACTOR,
            session_id=SESSION,
            branch="b",
            client=server.client(),
            **arguments,
        )
    assert words in str(raised.value)
    assert server.stats.count("ListEvents", outcome="success") == 0


def test_a_trace_on_two_branches_is_forked_only_from_the_branch_named(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _main_turn_then_fork(make_manager, server, memory_id)
    on_main = make_agent(make_manager(), ["a2"], conversation_manager=no_trim())
    on_b = make_agent(make_manager(branch="b"), ["b2"], conversation_manager=no_trim())
    with TRACER.start_as_current_span("compare") as span:  # one request, both branches
        on_main("q2")
        on_b("q2b")
        trace_id = format(span.get_span_context().trace_id, "032x")
    where: dict[str, Any] = {"memory_id": memory_id, "actor_id": ACTOR, "session_id": SESSION}
    server.stats.reset()
    with pytest.raises(ForkError) as raised:
        fork_session(**where, branch="c", trace_id=trace_id, client=server.client())
    assert str(raised.value) == (
        f"trace {trace_id} wrote on 2 branches (main, b): give from_branch (--from-branch)"
        " to choose the conversation to fork"
    )
    assert server.stats.count("CreateEvent") == 0
    fork = fork_session(
        **where, branch="c", trace_id=trace_id, from_branch="b", client=server.client()
    )
    assert fork.parent == "b"
    resumed = make_agent(make_manager(branch="c"), [], conversation_manager=no_trim())
    assert [t for _, t in texts(resumed)] == ["q1", "a1", "q2b", "b2"]


def test_two_forks_naming_one_branch_at_once_leave_one_root(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(make_manager(), ["a1", "a2"], conversation_manager=no_trim())
    agent("q1")
    agent("q2")
    where: dict[str, Any] = {"memory_id": memory_id, "actor_id": ACTOR, "session_id": SESSION}
    # The first fork has read the session and found "x" free; it writes only once the second
    # fork (at another turn) has made "x" and returned.
    first_client, second_done = server.client(), threading.Event()
    first_client.meta.events.register(
        "before-call.bedrock-agentcore.CreateEvent", lambda **_: second_done.wait(30) and None
    )
    outcome: list[BaseException] = []

    def first() -> None:
        try:
            fork_session(**where, branch="x", turn=1, client=first_client)
        except ForkError as exc:
            outcome.append(exc)

    server.stats.reset()
    thread = threading.Thread(target=first)
    thread.start()
    for _ in range(3000):  # until the first fork has read the session (bounded)
        if server.stats.count("ListEvents") >= 1:
            break
        thread.join(0.01)
    second = fork_session(**where, branch="x", turn=2, client=server.client())
    second_done.set()
    thread.join()

    assert second.calls == {"ListEvents": 2, "CreateEvent": 1}
    assert len(outcome) == 1 and "another fork made branch 'x' at the same time" in str(outcome[0])
    assert second.root_event_id in str(outcome[0])
    # Only the second fork's event is left, and a manager on "x" resumes what it forked.
    tree = BranchTree(raw_events(server, memory_id)[::-1])
    assert tree.branches["x"].event_ids == [second.event_id]
    assert tree.branches["x"].root_event_id == second.root_event_id
    resumed = make_agent(make_manager(branch="x"), [], conversation_manager=no_trim())
    assert [t for _, t in texts(resumed)] == ["q1", "a1", "q2", "a2"]
