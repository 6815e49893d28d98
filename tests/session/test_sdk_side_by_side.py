"""The bedrock-agentcore SDK's manager and this package's, side by side on the local server.

One scripted scenario calls each public method of the SDK's manager once with each manager,
each on its own session of the same memory, and the results are compared. Where the two
differ on purpose (docs/sdk-compatibility.md), the test pins both behaviours.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from strands import Agent
from strands.hooks import MessageAddedEvent
from strands.types.exceptions import SessionException
from strands.types.session import Session, SessionAgent, SessionMessage, SessionType

from agentcore_memory_otel import (
    AgentCoreMemoryConfig,
    AgentCoreMemorySessionManager,
    RetrievalConfig,
)
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel
from agentcore_memory_otel.wire.loopback import LOCAL_CREDENTIALS

from ..support import seed_records
from .conftest import ACTOR, calls, stored_events

sdk = pytest.importorskip("bedrock_agentcore.memory.integrations.strands.session_manager")
sdk_config = pytest.importorskip("bedrock_agentcore.memory.integrations.strands.config")

DOC = Path(__file__).parents[2] / "docs" / "sdk-compatibility.md"
NAMESPACE = "/users/{actorId}/facts"
REDACTED: Any = {"role": "assistant", "content": [{"text": "[redacted]"}]}


@pytest.fixture
def managers(
    server: LocalMemoryServer, memory_id: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """Build one manager of each kind, on sessions "sdk" and "ours", counting their calls."""
    # The SDK builds its clients from a boto3 session; the endpoint comes from the environment.
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", server.endpoint_url)
    boto_session = boto3.Session(region_name="us-east-1", **LOCAL_CREDENTIALS)
    retrieval: dict[str, Any] = {NAMESPACE: {"top_k": 5, "relevance_score": 0.0}}
    server.stats.reset()
    theirs = sdk.AgentCoreMemorySessionManager(
        sdk_config.AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id="sdk",
            actor_id=ACTOR,
            retrieval_config={k: sdk_config.RetrievalConfig(**v) for k, v in retrieval.items()},
        ),
        boto_session=boto_session,
    )
    sdk_calls = calls(server)
    server.stats.reset()
    ours = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id="ours",
            actor_id=ACTOR,
            retrieval_config={k: RetrievalConfig(**v) for k, v in retrieval.items()},
        ),
        boto_session=boto_session,
    )
    yield {"sdk": theirs, "ours": ours, "construction": {"sdk": sdk_calls, "ours": calls(server)}}
    theirs.close()
    ours.close()


def _texts(messages: list[SessionMessage]) -> list[str]:
    return [m.to_message()["content"][-1]["text"] for m in messages]


def _scenario(manager: Any, session_id: str, memory_id: str) -> dict[str, Any]:
    """Call each method once; return what a user of the manager would look at."""
    seen: dict[str, Any] = {}
    agent = Agent(
        model=ScriptedModel(["Hello!", "Bye.", "a secret", "ok"]),
        session_manager=manager,
        state={"colour": "green"},
        callback_handler=None,
    )
    agent("Hi")
    agent("Again")
    created = manager.create_session(Session(session_id, SessionType.AGENT))
    seen["create_session"] = created.session_id == session_id
    with pytest.raises(SessionException):
        manager.create_session(Session("elsewhere", SessionType.AGENT))
    session = manager.read_session(session_id)
    seen["read_session"] = (session.session_id == session_id, session.session_type)
    seen["read_session of another session"] = manager.read_session("elsewhere")
    record = manager.read_agent(session_id, agent.agent_id)
    seen["read_agent"] = (record.agent_id, record.state, record.conversation_manager_state)
    seen["read_agent of an unknown agent"] = manager.read_agent(session_id, "ghost")
    seen["list_messages"] = _texts(manager.list_messages(session_id, agent.agent_id))
    seen["list_messages offset=1"] = _texts(manager.list_messages(session_id, "default", offset=1))

    extra: Any = {"role": "user", "content": [{"text": "extra"}]}
    event = manager.create_message(session_id, "default", SessionMessage(extra, 4))
    seen["create_message"] = {"eventId", "memoryId", "actorId", "sessionId"} <= set(event)
    # The SDK addresses a stored message by its eventId, this package by its index.
    address = event["eventId"] if isinstance(manager, sdk.AgentCoreMemorySessionManager) else 4
    edited: Any = {"role": "user", "content": [{"text": "extra, edited"}]}
    manager.update_message(session_id, "default", SessionMessage(edited, address))
    seen["list_messages after update_message"] = _texts(
        manager.list_messages(session_id, "default")
    )

    manager.create_agent(session_id, SessionAgent("helper", {"n": 1}, {}))
    seen["read_agent after create_agent"] = manager.read_agent(session_id, "helper").state
    manager.update_agent(session_id, SessionAgent("helper", {"n": 2}, {}))
    seen["read_agent after update_agent"] = manager.read_agent(session_id, "helper").state

    question: Any = {"role": "user", "content": [{"text": "what tea do I like?"}]}
    agent.messages.append(question)
    manager.retrieve_customer_context(MessageAddedEvent(agent=agent, message=question))
    seen["retrieve_customer_context"] = question["content"]
    agent.messages.pop()

    seen["pending_message_count"] = manager.pending_message_count()
    seen["pending_agent_state_count"] = manager.pending_agent_state_count()

    client = manager.memory_client
    ids = {"memory_id": memory_id, "actor_id": ACTOR, "session_id": "shared"}
    events = client.list_events(**ids, max_results=3)
    seen["memory_client.list_events"] = events
    seen["memory_client.get_event"] = client.get_event(
        memoryId=memory_id, actorId=ACTOR, sessionId="shared", eventId=events[0]["eventId"]
    )["event"]
    seen["memory_client.get_last_k_turns"] = client.get_last_k_turns(**ids, k=2)
    seen["memory_client.retrieve_memories"] = [
        r["content"]
        for r in client.retrieve_memories(
            memory_id=memory_id, namespace_path=f"/users/{ACTOR}", query="tea", top_k=5
        )
    ]
    return seen


def _shared_session(server: LocalMemoryServer, memory_id: str) -> None:
    client = server.client()
    for index, (role, text) in enumerate(
        [("USER", "q1"), ("ASSISTANT", "a1"), ("USER", "q2"), ("ASSISTANT", "a2"), ("USER", "q3")]
    ):
        client.create_event(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId="shared",
            eventTimestamp=1_700_000_000 + index,
            payload=[{"conversational": {"role": role, "content": {"text": text}}}],
        )


def test_the_scenario_gives_the_same_results(
    server: LocalMemoryServer, memory_id: str, managers: dict[str, Any]
) -> None:
    seed_records(server, memory_id, f"/users/{ACTOR}/facts/drinks", "The user likes green tea")
    _shared_session(server, memory_id)
    theirs = _scenario(managers["sdk"], "sdk", memory_id)
    ours = _scenario(managers["ours"], "ours", memory_id)
    assert ours == theirs
    assert ours["list_messages after update_message"] == [
        "Hi",
        "Hello!",
        "Again",
        "Bye.",
        "extra, edited",
    ]
    assert ours["retrieve_customer_context"][0] == {
        "text": "<user_context>The user likes green tea</user_context>"
    }
    assert len(ours["memory_client.get_last_k_turns"]) == 2


def test_call_counts(server: LocalMemoryServer, managers: dict[str, Any]) -> None:
    counted: dict[str, list[dict[str, int]]] = {}
    for kind in ("sdk", "ours"):
        server.stats.reset()
        agent = Agent(
            model=ScriptedModel(["Hello!"]), session_manager=managers[kind], callback_handler=None
        )
        built = calls(server)
        server.stats.reset()
        agent("Hi")
        counted[kind] = [managers["construction"][kind], built, calls(server)]
    # Construction: the SDK reads the session (filtered, then the legacy layout) and writes it;
    # this package scans once. A new agent of a new session: the SDK writes its record; here
    # it rides on the first message. A simple turn: two messages either way, and the SDK
    # writes the agent state once more.
    assert counted == {
        "sdk": [
            {"CreateEvent": 1, "ListEvents": 2},
            {"CreateEvent": 1, "ListEvents": 0},
            {"CreateEvent": 3, "ListEvents": 0},
        ],
        "ours": [
            {"CreateEvent": 0, "ListEvents": 1},
            {"CreateEvent": 0, "ListEvents": 0},
            {"CreateEvent": 2, "ListEvents": 0},
        ],
    }


def test_deliberate_differences(
    server: LocalMemoryServer, memory_id: str, managers: dict[str, Any]
) -> None:
    theirs, ours = managers["sdk"], managers["ours"]
    agents = {
        session: Agent(
            model=ScriptedModel(["a secret", "fine"]),
            session_manager=manager,
            callback_handler=None,
        )
        for manager, session in ((theirs, "sdk"), (ours, "ours"))
    }
    for agent in agents.values():
        agent("tell me")
    # read_message: the SDK calls GetEvent with the integer id, which boto3 rejects.
    with pytest.raises(ParamValidationError):
        theirs.read_message("sdk", "default", 1)
    message = ours.read_message("ours", "default", 1)
    assert message is not None and _texts([message]) == ["a secret"]
    # list_messages with a limit: the SDK slices the newest limit+offset events; this package
    # returns messages offset..offset+limit-1, as Strands' repositories do.
    assert _texts(theirs.list_messages("sdk", "default", limit=1, offset=0)) == ["a secret"]
    assert _texts(ours.list_messages("ours", "default", limit=1, offset=0)) == ["tell me"]
    # redact_latest_message: the SDK's rewrite stores the original content again.
    theirs.redact_latest_message(REDACTED, agents["sdk"])
    ours.redact_latest_message(REDACTED, agents["ours"])
    assert _texts(theirs.list_messages("sdk", "default"))[-1] == "a secret"
    assert _texts(ours.list_messages("ours", "default"))[-1] == "[redacted]"
    # delete_session: the SDK deletes nothing; this package deletes the session's events.
    theirs.delete_session("sdk")
    ours.delete_session("ours")
    assert len(stored_events(server, memory_id, session="sdk")) > 0
    assert stored_events(server, memory_id, session="ours") == []


def test_every_public_name_is_here_or_documented(managers: dict[str, Any]) -> None:
    theirs, ours = managers["sdk"], managers["ours"]
    names = {n for n in dir(theirs) if not n.startswith("_")}
    table = DOC.read_text()
    documented = set(re.findall(r"^\| `(\w+)", table, flags=re.MULTILINE))
    assert names <= documented, f"not in docs/sdk-compatibility.md: {sorted(names - documented)}"
    different = set(re.findall(r"^\| `(\w+)`[^|]*\| different", table, flags=re.MULTILINE))
    missing = {n for n in names if not hasattr(ours, n)}
    assert missing <= different, f"missing and not documented as different: {missing}"
