"""Attack: a service (or proxy) whose ListEvents tokens come back, met by a restore and a delete.

``client.paging.pages`` stopped such a walk with ``PagingError``, but the restore's own
page-by-page scan and ``delete_session``'s walk followed the token for ever. The pages here are
real ListEvents answers of the local server; a botocore ``after-call`` hook on the caller's
boto3 session only rewrites their ``nextToken``, as a broken proxy would.
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.client.paging import PagingError
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.loopback import LOCAL_CREDENTIALS

from ..support import ACTOR, NO_RETRIES, SESSION, make_agent

T0 = time.time() - 3600
MAX_CALLS = 12  # a walk that goes round is cut here, so a regression fails instead of hanging


class RepeatingTokens:
    """From the ``at``-th ListEvents answer on, the first answer's token, even on the last page."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.tokens: list[str | None] = []

    def __call__(self, parsed: dict[str, Any], **_: Any) -> None:
        self.tokens.append(parsed.get("nextToken"))
        if len(self.tokens) > MAX_CALLS:
            raise AssertionError(f"ListEvents called {len(self.tokens)} times: paging loops")
        if len(self.tokens) >= self.at:
            parsed["nextToken"] = self.tokens[0]


def _seed(client: Any, memory_id: str, events: int) -> None:
    for index in range(events):
        client.create_event(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId=SESSION,
            eventTimestamp=T0 + index,
            payload=[{"conversational": {"role": "USER", "content": {"text": f"m{index}"}}}],
        )


def _manager(
    server: LocalMemoryServer, memory_id: str, hook: RepeatingTokens
) -> AgentCoreMemorySessionManager:
    session = boto3.Session(region_name=server.region, **LOCAL_CREDENTIALS)
    session.events.register("after-call.bedrock-agentcore.ListEvents", hook)
    return AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(memory_id=memory_id, session_id=SESSION, actor_id=ACTOR),
        boto_session=session,
        boto_client_config=NO_RETRIES,
        endpoint_url=server.endpoint_url,
    )


@pytest.mark.parametrize("events", [150, 250])
def test_a_restore_stops_on_a_token_that_comes_back(
    server: LocalMemoryServer, client: Any, memory_id: str, events: int
) -> None:
    """A new agent in a session reads every page; page 2 (or 3) answering page 1's token."""
    _seed(client, memory_id, events)
    hook = RepeatingTokens(at=2)
    manager = _manager(server, memory_id, hook)
    try:
        with pytest.raises(PagingError, match=r"page 2 gave nextToken '.+' again"):
            make_agent(manager, ["hi"])
        assert len(hook.tokens) == 2  # page 1 when the manager is built, page 2 by the agent
    finally:
        manager.close()


def test_delete_session_stops_on_a_token_that_comes_back_and_deletes_nothing(
    server: LocalMemoryServer, client: Any, memory_id: str
) -> None:
    _seed(client, memory_id, 150)
    hook = RepeatingTokens(at=2)
    manager = _manager(server, memory_id, hook)
    try:
        with pytest.raises(PagingError, match="page 2 gave nextToken"):
            manager.delete_session(SESSION)
        assert len(hook.tokens) == 3  # page 1 when the manager is built; pages 1 and 2 again
        assert server.stats.count("DeleteEvent") == 0
        left = client.list_events(
            memoryId=memory_id, actorId=ACTOR, sessionId=SESSION, maxResults=100
        )
        assert len(left["events"]) == 100 and left.get("nextToken")
    finally:
        manager.close()
