"""Branches made here are the reference SDK's branches, and its forks resume here.

The SDK's ``MemoryClient`` (``bedrock-agentcore``, a test dependency) runs unchanged against
the local server, found through the standard endpoint variables.
"""

from __future__ import annotations

import pytest
from bedrock_agentcore.memory import MemoryClient
from bedrock_agentcore.memory.integrations.strands.config import (
    AgentCoreMemoryConfig as SdkConfig,
)
from bedrock_agentcore.memory.integrations.strands.session_manager import (
    AgentCoreMemorySessionManager as SdkManager,
)
from strands import Agent

from agentcore_memory_otel import fork_session
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

from ..support import ACTOR, SESSION, ManagerFactory, make_agent, no_trim
from .support import raw_events, texts, traced_turn


@pytest.fixture
def sdk(server: LocalMemoryServer, monkeypatch: pytest.MonkeyPatch) -> MemoryClient:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    return MemoryClient(region_name="us-east-1")


def test_a_branch_made_here_is_what_the_sdk_lists(
    sdk: MemoryClient, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(make_manager(), ["a1", "a2", "a3"], conversation_manager=no_trim())
    traces = [traced_turn(agent, prompt) for prompt in ("q1", "q2", "q3")]
    fork = fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="retry",
        trace_id=traces[1],
        position="before",
        client=server.client(),
    )
    make_agent(make_manager(branch="retry"), ["b2"], conversation_manager=no_trim())("q2 again")

    on_branch = [
        e["eventId"] for e in raw_events(server, memory_id) if e["branch"]["name"] == "retry"
    ]
    branches = {b["name"]: b for b in sdk.list_branches(memory_id, ACTOR, SESSION)}
    assert set(branches) == {"main", "retry"}
    assert branches["retry"]["rootEventId"] == fork.root_event_id
    assert branches["retry"]["eventCount"] == len(on_branch) == 3  # the fork's, q2 again, b2

    own = sdk.list_branch_events(memory_id, ACTOR, SESSION, branch_name="retry")
    assert [e["eventId"] for e in own] == on_branch
    seen = sdk.list_branch_events(
        memory_id, ACTOR, SESSION, branch_name="retry", include_parent_branches=True
    )
    assert [e["eventId"] for e in seen] == [
        e["eventId"] for e in raw_events(server, memory_id, branch="retry")
    ]
    # What the SDK reads for the branch holds main's first turn and the branch's, nothing else.
    words = [
        item["conversational"]["content"]["text"]
        for e in seen
        for item in e["payload"]
        if "conversational" in item
    ]
    assert all("q3" not in w and '"a2"' not in w for w in words)


def test_a_branch_the_sdk_forks_resumes_here(
    sdk: MemoryClient, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(make_manager(), ["a1", "a2"], conversation_manager=no_trim())
    agent("q1")
    agent("q2")
    first_turn_end = raw_events(server, memory_id)[-2]["eventId"]  # newest first: ..., a1, q1
    sdk.fork_conversation(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        root_event_id=first_turn_end,
        branch_name="sdk-fork",
        new_messages=[("what else?", "USER"), ("the SDK answers", "ASSISTANT")],
    )

    resumed = make_agent(make_manager(branch="sdk-fork"), ["b3"], conversation_manager=no_trim())
    assert texts(resumed) == [
        ("user", "q1"),
        ("assistant", "a1"),
        ("user", "what else?"),
        ("assistant", "the SDK answers"),
    ]
    resumed("q3")
    again = make_agent(make_manager(branch="sdk-fork"), [], conversation_manager=no_trim())
    assert [t for _, t in texts(again)] == ["q1", "a1", "what else?", "the SDK answers", "q3", "b3"]
    main = make_agent(make_manager(), [], conversation_manager=no_trim())
    assert [t for _, t in texts(main)] == ["q1", "a1", "q2", "a2"]
    # And the SDK sees this package's writes on its branch.
    names = {b["name"] for b in sdk.list_branches(memory_id, ACTOR, SESSION)}
    assert names == {"main", "sdk-fork"}


def test_the_sdks_session_manager_reads_every_branch_as_one_conversation(
    sdk: MemoryClient, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """Why docs/branches.md says to keep sessions the SDK opens unforked: it sends no filter."""
    agent = make_agent(make_manager(), ["a1"], conversation_manager=no_trim())
    agent("q1")
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="b",
        turn=1,
        client=server.client(),
    )
    make_agent(make_manager(branch="b"), ["b2"], conversation_manager=no_trim())("q2 on b")
    sdk_config = SdkConfig(memory_id=memory_id, session_id=SESSION, actor_id=ACTOR)
    restored = Agent(
        model=ScriptedModel([]),
        session_manager=SdkManager(sdk_config, region_name="us-east-1"),
        conversation_manager=no_trim(),
        callback_handler=None,
    )
    assert "q2 on b" in [t for _, t in texts(restored)]
