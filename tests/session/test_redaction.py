"""A redaction reaches storage: no read returns the original once the rewrite is stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from strands import Agent

from agentcore_memory_otel import FlushError
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import GuardrailModel
from agentcore_memory_otel.wire import clock
from agentcore_memory_otel.wire.loopback import LOCAL_CREDENTIALS

from .conftest import ACTOR, SESSION, ManagerFactory, make_agent, no_trim, stored_events

CARD = "4111 1111 1111 1111"
"""The secret: spaced digits, which no event id, timestamp or token can contain."""
SECRET = f"my card is {CARD}"
CHILD = Path(__file__).with_name("redaction_child.py")


def _guarded(manager: Any, replies: list[str]) -> Agent:
    return Agent(
        model=GuardrailModel(replies, redact_with="[redacted]"),
        session_manager=manager,
        conversation_manager=no_trim(),
        callback_handler=None,
    )


def _holds_card(event: dict[str, Any]) -> bool:
    # The whole event is searched (payload, metadata, branch). For the card's full, spaced
    # number: its digits alone ("4111") turn up in event ids, eventTimestamps and the records'
    # created_at microseconds about once in a hundred runs, and were taken for the secret.
    return CARD in json.dumps(event, default=str)


def _holding_secret(server: LocalMemoryServer, memory_id: str, **where: str) -> list[str]:
    return [e["eventId"] for e in stored_events(server, memory_id, **where) if _holds_card(e)]


def _texts(agent: Agent) -> list[str]:
    return [b["text"] for m in agent.messages for b in m["content"] if "text" in b]


@pytest.mark.parametrize("write_mode", ["sync", "background"])
def test_a_guardrail_redaction_deletes_the_original_event(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, write_mode: str
) -> None:
    manager = make_manager(write_mode=write_mode)
    agent = _guarded(manager, ["I cannot help with that."])
    agent(SECRET)
    manager.flush()
    assert _texts(agent) == ["[redacted]", "I cannot help with that."]
    assert _holding_secret(server, memory_id) == []
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(resumed)[0] == "[redacted]"


def test_a_redaction_costs_one_create_and_one_delete(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager()
    agent = make_agent(manager, ["ok", "ok"], conversation_manager=no_trim())
    agent("hello")
    agent(SECRET)
    server.stats.reset()
    manager.redact_latest_message({"role": "assistant", "content": [{"text": "[r]"}]}, agent)
    counts = {op: server.stats.count(op) for op in ("CreateEvent", "DeleteEvent", "GetEvent")}
    assert counts == {"CreateEvent": 1, "DeleteEvent": 1, "GetEvent": 0}


def test_an_event_holding_other_messages_is_rewritten_without_the_redacted_one(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=3)
    agent = make_agent(manager, [], conversation_manager=no_trim())
    conversation: list[Any] = [("user", "first"), ("assistant", "second"), ("user", SECRET)]
    for role, text in conversation:
        manager.append_message({"role": role, "content": [{"text": text}]}, agent)
    # The buffer was full: the three messages went in one event (with the records).
    assert manager.pending_message_count() == 0
    server.stats.reset()
    manager.redact_latest_message({"role": "user", "content": [{"text": "[redacted]"}]}, agent)
    manager.flush()
    assert _holding_secret(server, memory_id) == []
    # The rewrite, and the original's other items again, then the original deleted.
    assert server.stats.count("CreateEvent") == 2
    assert server.stats.count("DeleteEvent") == 1
    manager.append_message({"role": "assistant", "content": [{"text": "fine"}]}, agent)
    manager.close()
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(resumed) == ["first", "second", "[redacted]", "fine"]


def test_ids_and_timestamps_spelling_the_cards_digits_are_not_taken_for_the_secret(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The redaction above, with every event stamped in a second whose epoch ends in 4111.

    Each eventId and eventTimestamp then holds "4111": the check for the secret must find the
    original (before the redaction) and nothing after it, whatever the clock reads.
    """
    now_ms = time.time_ns() // 1_000_000
    pinned_ms = now_ms - now_ms % 1000 - ((now_ms // 1000 - 4111) % 10_000) * 1000
    monkeypatch.setattr(clock, "time", SimpleNamespace(time_ns=lambda: pinned_ms * 1_000_000))
    manager = make_manager(batch_size=3)
    agent = make_agent(manager, [], conversation_manager=no_trim())
    conversation: list[Any] = [("user", "first"), ("assistant", "second"), ("user", SECRET)]
    for role, text in conversation:
        manager.append_message({"role": role, "content": [{"text": text}]}, agent)
    (original,) = _holding_secret(server, memory_id)
    manager.redact_latest_message({"role": "user", "content": [{"text": "[redacted]"}]}, agent)
    manager.flush()
    stored = stored_events(server, memory_id)
    assert all(e["eventId"][12:16] == "4111" for e in stored)  # as the clock was pinned
    assert original not in [e["eventId"] for e in stored]
    assert _holding_secret(server, memory_id) == []


def test_a_restored_latest_message_is_deleted_where_another_manager_stored_it(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    first = make_manager()
    agent = make_agent(first, ["ok", f"your card is {CARD}"], conversation_manager=no_trim())
    agent("hello")
    agent("what is my card?")
    first.close()
    second = make_manager()
    resumed = make_agent(second, conversation_manager=no_trim())
    server.stats.reset()
    redacted: Any = {"role": "assistant", "content": [{"text": "[redacted]"}]}
    second.redact_latest_message(redacted, resumed)
    second.flush()
    assert _holding_secret(server, memory_id) == []
    counts = {op: server.stats.count(op) for op in ("CreateEvent", "DeleteEvent", "GetEvent")}
    assert counts == {"CreateEvent": 1, "DeleteEvent": 1, "GetEvent": 1}
    again = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(again) == ["hello", "ok", "what is my card?", "[redacted]"]


def test_redacting_twice_leaves_only_the_last_rewrite(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager()
    agent = make_agent(manager, ["ok"], conversation_manager=no_trim())
    agent("hello")
    for text in ("[first try]", "[second try]"):
        manager.redact_latest_message({"role": "assistant", "content": [{"text": text}]}, agent)
    manager.flush()
    dumped = json.dumps(stored_events(server, memory_id), default=str)
    assert '\\"ok\\"' not in dumped and "first try" not in dumped
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(resumed) == ["hello", "[second try]"]


def test_a_failed_delete_is_retried_by_the_next_flush(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager()
    agent = make_agent(manager, [], conversation_manager=no_trim())
    manager.append_message({"role": "user", "content": [{"text": SECRET}]}, agent)
    server.faults.fail_next("DeleteEvent", 5)
    with pytest.raises(FlushError, match="ServiceException"):
        manager.redact_latest_message({"role": "user", "content": [{"text": "[redacted]"}]}, agent)
    assert _holding_secret(server, memory_id) != []
    server.faults.reset()
    manager.flush()
    assert _holding_secret(server, memory_id) == []


def test_a_process_killed_before_the_delete_has_it_done_by_the_next_manager(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.db"
    session = "redacted-then-killed"
    server.faults.fail_next("DeleteEvent", 10_000)  # the child can never delete
    child = subprocess.Popen(
        [sys.executable, str(CHILD), server.endpoint_url, memory_id, session, str(journal)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        where = {"session": session, "actor": "killed"}
        assert _holding_secret(server, memory_id, **where) != []
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    server.faults.reset()
    # The next manager on the journal finishes the redaction before it reads the session.
    manager = make_manager(session_id=session, actor_id="killed", journal_path=journal)
    resumed = make_agent(manager)
    assert _holding_secret(server, memory_id, **where) == []
    assert _texts(resumed)[0] == "[redacted]"


def test_without_permission_to_delete_the_original_stays_and_writes_go_on(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    manager = make_manager()
    agent = make_agent(manager, ["fine"], conversation_manager=no_trim())
    manager.append_message({"role": "user", "content": [{"text": SECRET}]}, agent)
    server.faults.fail_next("DeleteEvent", 100, status=403)
    manager.redact_latest_message({"role": "user", "content": [{"text": "[redacted]"}]}, agent)
    assert "allow bedrock-agentcore:DeleteEvent" in caplog.text
    assert _holding_secret(server, memory_id) != []
    agent("next")  # later writes are not held up by the delete that cannot succeed
    assert manager.pending_message_count() == 0


@pytest.mark.parametrize("journal", [False, True])
def test_an_original_still_in_flight_is_deleted_once_acknowledged(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    journal: bool,
) -> None:
    extra: dict[str, Any] = {"journal_path": tmp_path / "journal.db"} if journal else {}
    manager = make_manager(write_mode="background", **extra)
    agent = make_agent(manager, [], conversation_manager=no_trim())
    in_flight, redacted = threading.Event(), threading.Event()

    def hold_the_first_create(**_: Any) -> None:
        # Runs on the sender thread as the original's request leaves: it is planned and
        # unacknowledged until the redaction below is done.
        if not in_flight.is_set():
            in_flight.set()
            redacted.wait(10)

    manager.api.client.meta.events.register(
        "before-send.bedrock-agentcore.CreateEvent", hold_the_first_create
    )
    manager.append_message({"role": "user", "content": [{"text": SECRET}]}, agent)
    assert in_flight.wait(10)
    assert manager.pending_message_count() == 1
    manager.redact_latest_message({"role": "user", "content": [{"text": "[redacted]"}]}, agent)
    redacted.set()
    manager.flush()
    assert _holding_secret(server, memory_id) == []
    assert server.stats.count("DeleteEvent") == 1
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(resumed) == ["[redacted]"]


@pytest.mark.parametrize("sdk_batch", [1, 3])
def test_a_redacted_message_the_sdk_wrote_is_deleted(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
    sdk_batch: int,
) -> None:
    """The reference SDK wrote the session (no message ids); ours restores it and redacts.

    With ``sdk_batch=3`` the SDK stored all three messages in one event, which is written
    again without the redacted one before it is deleted.
    """
    sdk = pytest.importorskip("bedrock_agentcore.memory.integrations.strands.session_manager")
    sdk_config = pytest.importorskip("bedrock_agentcore.memory.integrations.strands.config")
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", server.endpoint_url)
    theirs = sdk.AgentCoreMemorySessionManager(
        sdk_config.AgentCoreMemoryConfig(
            memory_id=memory_id, session_id=SESSION, actor_id=ACTOR, batch_size=sdk_batch
        ),
        boto_session=boto3.Session(region_name="us-east-1", **LOCAL_CREDENTIALS),
    )
    first = make_agent(theirs, [], conversation_manager=no_trim())
    # A turn, then a prompt stored by a process that stopped before the model answered.
    for role, text in [("user", "hello"), ("assistant", "ok"), ("user", SECRET)]:
        theirs.append_message({"role": role, "content": [{"text": text}]}, first)
    theirs.close()
    holders = [e for e in stored_events(server, memory_id) if _holds_card(e)]
    assert [len(e["payload"]) for e in holders] == [sdk_batch]
    manager = make_manager()
    agent = _guarded(manager, ["I cannot help with that."])
    assert _texts(agent) == ["hello", "ok", SECRET]
    server.stats.reset()
    agent()  # the guardrail redacts the restored prompt
    manager.flush()
    assert {op: server.stats.count(op) for op in ("GetEvent", "DeleteEvent")} == {
        "GetEvent": 1,
        "DeleteEvent": 1,
    }
    assert _texts(agent) == ["hello", "ok", "[redacted]", "I cannot help with that."]
    assert _holding_secret(server, memory_id) == []
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(resumed) == ["hello", "ok", "[redacted]", "I cannot help with that."]
