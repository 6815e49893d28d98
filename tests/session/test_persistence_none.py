"""``persistence_mode="NONE"``: the write path exists (null objects) and does nothing at all.

Nothing is encoded, so nothing can fail on a storage limit or a metadata check; nothing is
buffered or sent, whichever way in (hooks, the repository methods, Graphs); the metadata
provider is not asked for entries that are never built.
"""

from __future__ import annotations

import inspect
from typing import Any

from strands.types.session import Session, SessionAgent, SessionMessage, SessionType

from agentcore_memory_otel import AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.repository import MemoryRepository

from .conftest import SESSION, ManagerFactory, calls, make_agent, stored_events
from .multi_agent_scenarios import Script, graph

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


def test_the_repository_methods_are_the_memory_repositorys() -> None:
    """One repository: each of the manager's methods is MemoryRepository's, same signature."""
    for name in (
        "create_session",
        "read_session",
        "delete_session",
        "create_agent",
        "read_agent",
        "update_agent",
        "create_message",
        "read_message",
        "update_message",
        "list_messages",
    ):
        ours = getattr(AgentCoreMemorySessionManager, name)
        theirs = getattr(MemoryRepository, name)
        assert inspect.signature(ours) == inspect.signature(theirs), name
        assert ours.__doc__ == theirs.__doc__, name
        assert ours.__name__ == name
