"""``persistence_mode="NONE"``: the write path exists (null objects) and does nothing at all.

Nothing is encoded, so nothing can fail on a storage limit or a metadata check; nothing is
buffered or sent, whichever way in (hooks, the repository methods, Graphs); the metadata
provider is not asked for entries that are never built.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from strands.session import FileSessionManager
from strands.types.exceptions import SessionException
from strands.types.session import Session, SessionAgent, SessionMessage, SessionType

from agentcore_memory_otel import FlushError
from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import SESSION, ManagerFactory, calls, make_agent, stored_events
from .multi_agent_scenarios import Script, crash, graph, handoff, outcome, swarm

GRAPH: dict[str, Script] = {"research": ["facts"], "write": ["draft"], "review": ["approved"]}
WRITES = ("CreateEvent", "DeleteEvent")


def _writes(server: LocalMemoryServer) -> dict[str, int]:
    return {op: server.stats.count(op) for op in WRITES}


def test_metadata_that_breaks_a_limit_is_refused_only_when_persisting(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    too_many = {f"key{i}": f"value{i}" for i in range(16)}  # the event limit is 15 keys
    message: Any = {"role": "user", "content": [{"text": "hello"}]}
    full = make_manager()
    agent = make_agent(full, [])
    try:
        full.append_message(message, agent, metadata=too_many)
    except ValueError as exc:
        assert "metadata" in str(exc)
    else:
        raise AssertionError("FULL accepted 16 metadata keys")
    full.close()
    server.stats.reset()
    none = make_manager(persistence_mode="NONE", session_id="none-session")
    agent = make_agent(none, [])
    none.append_message(message, agent, metadata=too_many)  # nothing is built, nothing checked
    none.close()
    assert _writes(server) == {"CreateEvent": 0, "DeleteEvent": 0}


def test_the_metadata_provider_is_not_asked_for_entries_never_built(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    asked: list[int] = []

    def provider() -> dict[str, str]:
        asked.append(1)
        return {"env": "test"}

    manager = make_manager(persistence_mode="NONE", metadata_provider=provider)
    at_construction = len(asked)  # its check at construction, as in FULL
    agent = make_agent(manager, ["reply", "again"])
    agent("hello")
    agent("more")
    manager.close()
    assert len(asked) == at_construction
    assert _writes(server) == {"CreateEvent": 0, "DeleteEvent": 0}


def test_repository_methods_write_nothing(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(persistence_mode="NONE", batch_size=1)
    server.stats.reset()
    session = Session(session_id=SESSION, session_type=SessionType.AGENT)
    assert manager.create_session(session) is session
    record = SessionAgent(agent_id="a", state={}, conversation_manager_state={})
    manager.create_agent(SESSION, record)
    message: Any = {"role": "user", "content": [{"text": "hi"}]}
    assert manager.create_message(SESSION, "a", SessionMessage(message, 0)) == {}
    redacted: Any = {"role": "user", "content": [{"text": "[x]"}]}
    manager.update_message(SESSION, "a", SessionMessage(message, 0, redact_message=redacted))
    assert manager.pending_agent_state_count() == 0
    assert manager.pending_message_count() == 0
    assert manager.read_message(SESSION, "a", 0) is None  # reads still read (nothing there)
    manager.flush()
    manager.close()
    manager.close()  # twice: still nothing to do
    assert _writes(server) == {"CreateEvent": 0, "DeleteEvent": 0}
    assert stored_events(server, memory_id) == []


def test_a_graph_in_persistence_none_checkpoints_nothing(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    server.stats.reset()
    run = graph(make_manager(persistence_mode="NONE"), GRAPH)
    run.orchestrator("write a report")
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 1}
    assert stored_events(server, memory_id) == []


def test_sdk_readable_in_persistence_none_writes_no_session_record(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    server.stats.reset()
    make_manager(persistence_mode="NONE", sdk_readable=True).close()
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 1}
    assert stored_events(server, memory_id) == []


def test_input_checks_that_precede_storage_still_apply(make_manager: ManagerFactory) -> None:
    """NONE skips storage, not the argument checks the SDK's methods make."""
    manager = make_manager(persistence_mode="NONE")
    agent = make_agent(manager, [])
    with pytest.raises(SessionException, match="No message to redact"):
        manager.redact_latest_message({"role": "user", "content": [{"text": "x"}]}, agent)
    with pytest.raises(SessionException, match="Session ID mismatch"):
        manager.create_session(Session(session_id="other", session_type=SessionType.AGENT))
    message: Any = {"role": "user", "content": [{"text": "hi"}]}
    with pytest.raises(SessionException, match="message_id must be"):
        manager.update_message(SESSION, "a", SessionMessage(message, "x"))  # type: ignore[arg-type]
    with pytest.raises(SessionException, match="unique"):
        make_agent(manager, [])  # the same agent id again


def test_exit_raises_a_failed_flush_but_never_masks_an_exception_in_flight(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    message: Any = {"role": "user", "content": [{"text": "hi"}]}
    server.faults.fail_next("CreateEvent", 100, status=403)
    with pytest.raises(FlushError), make_manager(batch_size=10) as manager:
        manager.append_message(message, make_agent(manager, []))
    with (
        pytest.raises(KeyError, match="in flight"),
        make_manager(batch_size=10, session_id="second") as manager,
    ):
        manager.append_message(message, make_agent(manager, []))
        raise KeyError("in flight")
    server.faults.reset()


def test_no_journal_timer_or_sender_thread_is_started(
    make_manager: ManagerFactory, server: LocalMemoryServer, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.db"
    before = {thread.name for thread in threading.enumerate()}
    manager = make_manager(
        persistence_mode="NONE",
        write_mode="background",
        journal_path=str(journal),
        flush_interval_seconds=0.05,
    )
    agent = make_agent(manager, ["reply"])
    agent("hello")
    started = {thread.name for thread in threading.enumerate()} - before
    assert not [name for name in started if name.startswith("agentcore-memory-")]
    manager.close()
    assert not journal.exists()
    assert _writes(server) == {"CreateEvent": 0, "DeleteEvent": 0}


def test_a_swarm_in_persistence_none_runs_as_under_strands_and_stores_nothing(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    """A handoff, then a crash and a second run: nothing restored, nothing stored."""
    scripts: dict[str, Script] = {"triage": [handoff("billing"), "over"], "billing": ["done"]}
    reference = FileSessionManager(session_id=SESSION, storage_dir=str(tmp_path / "file"))
    expected = outcome(swarm(reference, scripts).orchestrator("refund please"))
    server.stats.reset()
    got = outcome(
        swarm(make_manager(persistence_mode="NONE"), scripts).orchestrator("refund please")
    )
    assert got == expected
    crashed = swarm(make_manager(persistence_mode="NONE"), {**scripts, "billing": crash})
    assert outcome(crashed.orchestrator("refund please"))["status"] == "failed"
    again = swarm(make_manager(persistence_mode="NONE"), scripts)
    assert outcome(again.orchestrator("refund please")) == expected  # from the start again
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 3}
    assert stored_events(server, memory_id) == []
