"""A restore decodes only the agent record it uses; the others are read as far as their agent_id.

With a sliding window nearly every event carries an agent record, and a windowed restore reads
a page of 100 events to use one. ``read_ahead.scan_event`` defers agent records
(``DeferredAgent``); the scan decodes the newest one of the agent being restored, and an older
one only when a newer one does not decode. Everything else restores exactly as when every
record is decoded (``decode_event``), which these tests compare whole.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from strands.agent.conversation_manager import SlidingWindowConversationManager
from strands.types.session import SessionAgent

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.agents import removed_message_count
from agentcore_memory_otel.session.read.restore import RestoredAgent, SessionScan, session_pages
from agentcore_memory_otel.wire import codec
from agentcore_memory_otel.wire.codec import StoredAgent, decode_event
from agentcore_memory_otel.wire.encoding import encode_agent, with_next_message_id
from agentcore_memory_otel.wire.read_ahead import DeferredAgent, scan_event

from .conftest import ACTOR, SESSION, ManagerFactory, make_agent, no_trim, stored_events

WINDOW = {"__name__": "NullConversationManager", "removed_message_count": 0}


@pytest.fixture
def agent_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The agent_id of every agent record decoded from now on."""
    decoded: list[str] = []
    original = codec.session_agent_from_dict

    def counting(body: dict[str, Any], text: Any = None) -> SessionAgent:
        decoded.append(str(body.get("agent_id")))
        return original(body, text)

    monkeypatch.setattr(codec, "session_agent_from_dict", counting)
    return decoded


def _windowed_session(make_manager: ManagerFactory, turns: int = 30) -> None:
    """A session of ``turns`` turns whose window trims each turn (a record on most events)."""
    writer = make_agent(
        make_manager(),
        [f"reply {i}" for i in range(turns)],
        conversation_manager=SlidingWindowConversationManager(window_size=4),
    )
    for turn in range(turns):
        writer(f"question {turn}")


def _agent_records(server: LocalMemoryServer, memory_id: str) -> int:
    return sum(
        isinstance(stored, StoredAgent)
        for event in stored_events(server, memory_id)
        for stored in decode_event(event)
    )


def test_a_windowed_restore_decodes_one_agent_record(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    agent_decodes: list[str],
) -> None:
    _windowed_session(make_manager)
    assert _agent_records(server, memory_id) >= 25  # one per trimming turn, at least
    agent_decodes.clear()
    restored = make_agent(
        make_manager(), conversation_manager=SlidingWindowConversationManager(window_size=4)
    )
    assert agent_decodes == ["default"]
    assert [m["content"][0]["text"] for m in restored.messages][-2:] == [
        "question 29",
        "reply 29",
    ]


def test_a_restore_decodes_only_its_own_agents_record(
    make_manager: ManagerFactory, agent_decodes: list[str]
) -> None:
    manager = make_manager()
    first = make_agent(
        manager, ["a1", "a2", "a3"], agent_id="first", conversation_manager=no_trim()
    )
    second = make_agent(manager, ["b1", "b2"], agent_id="second", conversation_manager=no_trim())
    for turn in range(2):
        first.state.set("turn", turn)
        first(f"to first {turn}")
        second(f"to second {turn}")
    manager.close()
    agent_decodes.clear()
    restored = make_agent(make_manager(), agent_id="first", conversation_manager=no_trim())
    assert agent_decodes == ["first"]
    assert restored.state.get("turn") == 1


def _scan(server: LocalMemoryServer, memory_id: str, decode: Any) -> SessionScan:
    client = server.client()
    pages = session_pages(
        lambda request: client.list_events(**request),
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
    )
    return SessionScan(pages, decode=decode)


def _restore(scan: SessionScan) -> RestoredAgent:
    return scan.restore_agent("default", removed_message_count)


def test_deferring_restores_what_decoding_everything_restores(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _windowed_session(make_manager, turns=60)  # over a page of events
    deferred = _restore(_scan(server, memory_id, scan_event))
    eager = _restore(_scan(server, memory_id, decode_event))
    assert deferred == eager
    assert deferred.record is not None and deferred.messages


def _record(state: Any, *, next_id: int = 2) -> str:
    item = encode_agent(SessionAgent("default", state, conversation_manager_state=WINDOW))
    return str(with_next_message_id(item, next_id)["blob"])


# Newer records of agent "default" that a restore must pass over for the older good one.
HOSTILE_NEWEST = {
    "cut short after its agent_id": '{"agent_id": "default", "state": {',
    "state not an object": _record(["not", "an", "object"]),
    "no window": json.dumps({"agent_id": "default", "state": {"k": "evil"}}),
    "a second agent_id": _record({"k": "evil"})[:-1] + ', "agent_id": "other"}',
    "a part that starts like a record": json.dumps(
        {"agent_id": "default", "group": "g", "part": 0, "parts": 2, "role": "USER"}
    ),
}


def _write(server: LocalMemoryServer, memory_id: str, blob: str, stamp: int) -> str:
    created = server.client().create_event(
        memoryId=memory_id,
        actorId=ACTOR,
        sessionId=SESSION,
        eventTimestamp=stamp,
        payload=[{"blob": blob}],
    )
    return str(created["event"]["eventId"])


@pytest.mark.parametrize("name", list(HOSTILE_NEWEST))
def test_a_newest_record_that_does_not_decode_gives_way_to_the_older_one(
    name: str,
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _write(server, memory_id, _record({"k": "good"}), stamp=1_700_000_000)
    hostile = _write(server, memory_id, HOSTILE_NEWEST[name], stamp=1_700_000_001)
    eager = _restore(_scan(server, memory_id, decode_event))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        agent = make_agent(make_manager(), conversation_manager=no_trim())
    assert agent.state.get("k") == "good"
    assert eager.record is not None and eager.record.state == {"k": "good"}
    # Skipped with one warning naming it, unless it is a good record of another agent.
    warnings = [r.getMessage() for r in caplog.records if hostile in r.getMessage()]
    assert len(warnings) == (0 if name == "a second agent_id" else 1), warnings


@pytest.mark.parametrize(
    ("blob", "agent_id"),
    [
        ('{"agent_id": "default", "state": {}}', "default"),
        ('{"agent_id":"compact"}', "compact"),
        ('{ \n "agent_id" :\t"spaced"}', "spaced"),
        ('{"agent_id": "\\u00e9t\\u00e9 \\ud83d\\ude00"}', "été 😀"),
        ('{"agent_id": "lone \\udc80"}', "lone \udc80"),
        ('{"agent_id": "naïve ☕"}', "naïve ☕"),
        ('{"agent_id": 5}', None),
        ('{"agent_id": "never closed', None),
        ('{"state": {}, "agent_id": "later"}', None),  # not how records are written: decoded
        ('["{\\"agent_id\\": \\"x\\"}", "USER"]', None),
        (' {"agent_id": "leading space"}', None),
    ],
)
def test_an_agent_record_is_deferred_by_its_opening(blob: str, agent_id: str | None) -> None:
    scanned = scan_event({"eventId": "e", "payload": [{"blob": blob}]})
    deferred = [s.agent_id for s in scanned if isinstance(s, DeferredAgent)]
    assert deferred == ([] if agent_id is None else [agent_id])


def test_conversational_text_is_never_deferred() -> None:
    item = {
        "conversational": {"role": "USER", "content": {"text": '{"agent_id": "x"}'}},
        "blob": "",
    }
    (scanned,) = scan_event({"eventId": "e", "payload": [item]})
    assert not isinstance(scanned, DeferredAgent)


def test_a_deferred_record_is_decoded_once(caplog: pytest.LogCaptureFixture) -> None:
    (deferred,) = scan_event({"eventId": "e", "payload": [{"blob": HOSTILE_NEWEST["no window"]}]})
    assert isinstance(deferred, DeferredAgent)
    with caplog.at_level(logging.WARNING):
        assert deferred.decoded is None and deferred.decoded is None
    assert len([r for r in caplog.records if "event_id=<e>" in r.getMessage()]) == 1
    (good,) = scan_event({"eventId": "e", "payload": [{"blob": _record({"k": 1})}]})
    assert isinstance(good, DeferredAgent) and good.decoded is good.decoded
    assert good.decoded is not None and good.decoded.session_agent.state == {"k": 1}


@pytest.mark.parametrize("name", list(HOSTILE_NEWEST))
def test_read_agent_passes_over_a_newest_record_that_does_not_decode(
    name: str, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _write(server, memory_id, _record({"k": "good"}), stamp=1_700_000_000)
    _write(server, memory_id, HOSTILE_NEWEST[name], stamp=1_700_000_001)
    found = make_manager().read_agent(SESSION, "default")
    assert found is not None and found.state == {"k": "good"}


def test_an_agent_id_as_long_as_a_payload_allows_is_read_ahead() -> None:
    long_id = "é" * 50_000 + "\U0001f600"
    blob = _record({}).replace('"default"', json.dumps(long_id), 1)  # escaped, as the SDK writes
    (scanned,) = scan_event({"eventId": "e", "payload": [{"blob": blob}]})
    assert isinstance(scanned, DeferredAgent) and scanned.agent_id == long_id
    assert scanned.decoded is not None and scanned.decoded.session_agent.agent_id == long_id


def test_a_record_whose_agent_id_is_given_twice_is_read_by_its_first(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """By design: JSON keeps the last of two equal keys, the read-ahead the first.

    Neither writer writes a key twice; such a record is hostile, and it is not taken for the
    record of the agent its last ``agent_id`` names (the decoder of every record would).
    """
    _write(server, memory_id, _record({"k": "good"}), stamp=1_700_000_000)
    twice = _record({"k": "evil"}).replace('"default"', '"other"', 1)[:-1]
    _write(server, memory_id, twice + ', "agent_id": "default"}', stamp=1_700_000_001)
    eager = _restore(_scan(server, memory_id, decode_event))
    assert eager.record is not None and eager.record.state == {"k": "evil"}
    agent = make_agent(make_manager(), conversation_manager=no_trim())
    assert agent.state.get("k") == "good"
