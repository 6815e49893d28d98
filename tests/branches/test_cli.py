"""``fork`` and ``branches`` on the command line, against the local server."""

from __future__ import annotations

import json
import shlex

import pytest

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.branch_tree import BranchTree

from ..cli.conftest import Cli
from ..support import ACTOR, SESSION, ManagerFactory, make_agent, no_trim
from .support import raw_events, texts, traced_turn


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture
def traces(make_manager: ManagerFactory) -> list[str]:
    agent = make_agent(make_manager(), ["a1", "a2", "a3"], conversation_manager=no_trim())
    return [traced_turn(agent, prompt) for prompt in ("q1", "q2", "q3")]


def _where(server: LocalMemoryServer, memory_id: str) -> list[str]:
    return ["--memory-id", memory_id, "--endpoint-url", server.endpoint_url]


def _session() -> list[str]:
    return ["--actor-id", ACTOR, "--session-id", SESSION]


def test_fork_at_a_trace_id_alone_prints_the_config_that_resumes_it(
    cli: Cli,
    traces: list[str],
    server: LocalMemoryServer,
    memory_id: str,
    make_manager: ManagerFactory,
) -> None:
    xray = f"1-{traces[1][:8]}-{traces[1][8:]}"
    status, out, err = cli(
        "fork", "--trace-id", xray, "--branch", "retry-1", "--before", *_where(server, memory_id)
    )
    assert (status, err) == (0, "")
    assert "branch='retry-1'" in out and f"session_id='{SESSION}'" in out
    assert "calls: ListEvents 2, CreateEvent 1" in out
    agent = make_agent(make_manager(branch="retry-1"), [], conversation_manager=no_trim())
    assert [t for _, t in texts(agent)] == ["q1", "a1"]


def test_branches_shows_the_tree_and_a_branch_with_fork_lines_that_work(
    cli: Cli,
    traces: list[str],
    server: LocalMemoryServer,
    memory_id: str,
    make_manager: ManagerFactory,
) -> None:
    where = _where(server, memory_id)
    assert cli("fork", "--turn", "1", "--branch", "t1", *_session(), *where)[0] == 0
    status, out, _ = cli("branches", *_session(), *where)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"session {SESSION} (actor {ACTOR}): 2 branch(es)")
    assert lines[1].startswith("main: ")
    assert lines[2].startswith("  t1: 1 event(s), root ")
    assert f"(trace {traces[0]})" in lines[2]  # the root is the first turn's last event

    status, out, _ = cli("branches", "--branch", "t1", "--json", *_session(), *where)
    rows = json.loads(out)
    assert [row["branch"] for row in rows] == ["main", "main", "t1"]
    assert rows[0]["forkBeforeTrace"].startswith("agentcore-memory-otel fork ")
    # A "fork here" line, run as printed, makes a branch that restores up to that event.
    argv = shlex.split(rows[0]["forkHere"])[1:]
    assert cli(*argv, "--endpoint-url", server.endpoint_url)[0] == 0
    branch = argv[argv.index("--branch") + 1]
    agent = make_agent(make_manager(branch=branch), [], conversation_manager=no_trim())
    assert [t for _, t in texts(agent)] == ["q1"]

    status, out, _ = cli("branches", "--branch", "t1", *_session(), *where)
    assert "(from main)" in out and "fork here: agentcore-memory-otel fork" in out
    assert f"trace {traces[0]}" in out


@pytest.mark.parametrize(
    ("argv", "status", "words"),
    [
        (["--turn", "1", "--branch", "x"], 2, "--turn and --event-id need --actor-id"),
        (["--turn", "1", "--branch", "bad name", *_session()], 2, "branch name"),
        (["--turn", "1", "--branch", "main", *_session()], 1, "must not be 'main'"),
        (["--turn", "9", "--branch", "x", *_session()], 1, "has 3 turn(s)"),
        (["--trace-id", "f" * 32, "--branch", "x"], 1, "no event of trace"),
        (["--event-id", "1#ab", "--branch", "x", *_session()], 1, "no event '1#ab'"),
    ],
)
def test_fork_mistakes_say_what_is_wrong(
    cli: Cli,
    traces: list[str],
    server: LocalMemoryServer,
    memory_id: str,
    argv: list[str],
    status: int,
    words: str,
) -> None:
    got, _, err = cli("fork", *argv, *_where(server, memory_id))
    assert got == status, err
    assert words in err


def test_forking_onto_an_existing_branch_is_refused(
    cli: Cli, traces: list[str], server: LocalMemoryServer, memory_id: str
) -> None:
    where = [*_session(), *_where(server, memory_id)]
    assert cli("fork", "--turn", "1", "--branch", "x", *where)[0] == 0
    status, _, err = cli("fork", "--turn", "2", "--branch", "x", *where)
    assert status == 1 and "branch 'x' already exists" in err


def test_fork_json_is_the_fork_as_data(
    cli: Cli, traces: list[str], server: LocalMemoryServer, memory_id: str
) -> None:
    status, out, _ = cli(
        "fork",
        "--event-id",
        "x",
        "--branch",
        "j",
        "--json",
        *_session(),
        *_where(server, memory_id),
    )
    assert status == 1  # no such event
    status, out, _ = cli(
        "fork", "--trace-id", traces[2], "--branch", "j", "--json", *_where(server, memory_id)
    )
    fork = json.loads(out)
    assert status == 0
    assert fork["branch"] == "j" and fork["parent"] == "main"
    assert fork["calls"] == {"ListEvents": 2, "CreateEvent": 1}
    assert fork["config"].endswith("branch='j')")


def test_fork_at_a_trace_held_by_two_sessions_asks_which_and_writes_nothing(
    cli: Cli, server: LocalMemoryServer, memory_id: str
) -> None:
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    for offset, session in enumerate(("s-one", "s-two")):
        server.client().create_event(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId=session,
            eventTimestamp=1_700_000_000 + offset,
            payload=[{"conversational": {"role": "USER", "content": {"text": session}}}],
            metadata={"traceId": {"stringValue": trace_id}},
        )
    server.stats.reset()
    status, out, err = cli(
        "fork", "--trace-id", trace_id, "--actor-id", ACTOR, "--branch", "x",
        *_where(server, memory_id),
    )  # fmt: skip
    assert (status, out) == (2, "")
    assert err == (
        f"agentcore-memory-otel fork: trace {trace_id} is in 2 sessions ({ACTOR} / s-one,"
        f" {ACTOR} / s-two): give --actor-id and --session-id to choose one\n"
    )
    assert server.stats.count("CreateEvent", outcome="success") == 0
    status, out, err = cli(
        "fork", "--trace-id", trace_id, "--actor-id", ACTOR, "--session-id", "s-two",
        "--branch", "x", *_where(server, memory_id),
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert "session_id='s-two', branch='x'" in out


def test_a_fork_whose_answer_was_lost_is_found_again_by_rerunning_it(
    cli: Cli, traces: list[str], server: LocalMemoryServer, memory_id: str
) -> None:
    where = [*_session(), *_where(server, memory_id)]
    fork_at = ["fork", "--trace-id", traces[1], "--before", "--branch", "x", *where]
    # Both of the command's attempts commit, then answer 500: the branch exists, the user
    # was told it failed.
    server.faults.commit_then_fail(2)
    status, out, err = cli(*fork_at)
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and "CreateEvent failed with ServiceException" in err
    assert [b["name"] for b in BranchTree(raw_events(server, memory_id)[::-1]).summaries()] == [
        "main",
        "x",
    ]
    server.stats.reset()
    status, out, err = cli(*fork_at, "--json")
    assert (status, err) == (0, "")
    fork = json.loads(out)
    assert fork["created"] is False
    assert fork["calls"] == {"ListEvents": 1, "CreateEvent": 0}
    assert server.stats.count("CreateEvent") == 0
    assert len(BranchTree(raw_events(server, memory_id)[::-1]).branches["x"].event_ids) == 1
    # The same name at another point is still refused, and writes nothing.
    status, _, err = cli("fork", "--trace-id", traces[1], "--after", "--branch", "x", *where)
    assert status == 1 and "branch 'x' already exists" in err
    assert server.stats.count("CreateEvent") == 0
