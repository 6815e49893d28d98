"""Legacy-layout sessions with no messages, which look new under the real actor: the calls."""

from __future__ import annotations

from typing import Any

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import ACTOR, RETRIES, SESSION, calls, make_agent, stored_events
from .test_sdk_formats import AGENT_RECORD, T0, _blob, _session_record


def _legacy_records_only(server: LocalMemoryServer, memory_id: str) -> None:
    """What old SDK releases left for a session whose agent never got a message."""
    client = server.client()
    for offset, (actor, record) in enumerate(
        [(f"session_{SESSION}", _session_record()), ("agent_default", AGENT_RECORD)]
    ):
        client.create_event(
            memoryId=memory_id,
            actorId=actor,
            sessionId=SESSION,
            eventTimestamp=T0 + offset,
            payload=_blob(record),
        )


def _legacy_left(server: LocalMemoryServer, memory_id: str) -> int:
    return sum(
        len(stored_events(server, memory_id, actor=actor))
        for actor in (f"session_{SESSION}", "agent_default")
    )


def _manager(server: LocalMemoryServer, memory_id: str, **kwargs: Any) -> Any:
    return AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(memory_id=memory_id, session_id=SESSION, actor_id=ACTOR),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        **kwargs,
    )


def _counts(server: LocalMemoryServer) -> dict[str, int]:
    return {**calls(server), "DeleteEvent": server.stats.count("DeleteEvent")}


def test_by_default_a_legacy_session_without_messages_is_new_and_left_intact(
    server: LocalMemoryServer, memory_id: str
) -> None:
    _legacy_records_only(server, memory_id)
    server.stats.reset()
    with _manager(server, memory_id) as manager:
        agent = make_agent(manager, ["Hello!"])
        assert _counts(server) == {"CreateEvent": 0, "ListEvents": 1, "DeleteEvent": 0}
        assert agent.state.get("favourite") is None  # the legacy state is not read
        agent("Hi")
    assert _counts(server) == {"CreateEvent": 2, "ListEvents": 1, "DeleteEvent": 0}
    assert _legacy_left(server, memory_id) == 2  # never deleted: still there to migrate


def test_legacy_lookup_costs_one_call_per_new_agent(
    server: LocalMemoryServer, memory_id: str
) -> None:
    server.stats.reset()
    with _manager(server, memory_id, legacy_lookup=True) as manager:
        agent = make_agent(manager, ["Hello!"])
        assert _counts(server) == {"CreateEvent": 0, "ListEvents": 2, "DeleteEvent": 0}
        agent("Hi")
    assert _counts(server) == {"CreateEvent": 2, "ListEvents": 2, "DeleteEvent": 0}


def test_legacy_lookup_migrates_a_legacy_session_without_messages(
    server: LocalMemoryServer, memory_id: str
) -> None:
    _legacy_records_only(server, memory_id)
    server.stats.reset()
    with _manager(server, memory_id, legacy_lookup=True) as manager:
        agent = make_agent(manager, ["Hello!"])
        # The scan, the agent's legacy record, the session's; the records written, then the
        # legacy events deleted.
        assert _counts(server) == {"CreateEvent": 1, "ListEvents": 3, "DeleteEvent": 2}
        assert agent.state.get("favourite") == "tea"
        agent("Hi")
    assert _legacy_left(server, memory_id) == 0
    server.stats.reset()
    with _manager(server, memory_id, legacy_lookup=True) as resumed:
        again = make_agent(resumed)
        assert again.state.get("favourite") == "tea"
        assert len(again.messages) == 2
    assert _counts(server) == {"CreateEvent": 0, "ListEvents": 1, "DeleteEvent": 0}
