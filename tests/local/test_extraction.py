"""Long-term extraction on the local server: events become records under strategy namespaces."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from strands.types.session import SessionMessage

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.local.extractors import Message, ModelExtractor
from agentcore_memory_otel.local.records import Scope
from agentcore_memory_otel.local.strategies import StrategyType
from agentcore_memory_otel.testing import ScriptedModel
from agentcore_memory_otel.wire.conversation_reader import read_strands_message
from agentcore_memory_otel.wire.encoding import encode_message
from tests.support import NO_RETRIES

from .helpers import text

STRATEGIES = [
    {
        "userPreferenceMemoryStrategy": {
            "name": "prefs",
            "namespaceTemplates": ["/preferences/{actorId}"],
        }
    },
    {"semanticMemoryStrategy": {"name": "facts", "namespaceTemplates": ["/facts/{actorId}"]}},
    {
        "summaryMemoryStrategy": {
            "name": "summaries",
            "namespaceTemplates": ["/summaries/{actorId}/{sessionId}"],
        }
    },
]


def _memory(control: Any, strategies: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
    return control.create_memory(
        name="ltm", eventExpiryDuration=30, memoryStrategies=strategies or STRATEGIES, **kwargs
    )["memory"]


def _strategy_ids(memory: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["strategyId"] for s in memory["strategies"]}


def _say(
    client: Any, memory_id: str, *payload: dict[str, Any], session: str = "s1", **kw: Any
) -> Any:
    return client.create_event(
        memoryId=memory_id,
        actorId="u1",
        sessionId=session,
        eventTimestamp=time.time(),
        payload=list(payload),
        **kw,
    )["event"]


def _texts(client: Any, memory_id: str, namespace: str) -> list[str]:
    records = client.list_memory_records(memoryId=memory_id, namespace=namespace)
    return [r["content"]["text"] for r in records["memoryRecordSummaries"]]


def _settled(server: LocalMemoryServer) -> None:
    assert server.backend.extraction.wait_idle(10)


def test_a_preference_becomes_a_record_under_the_strategy_namespace(
    server: LocalMemoryServer, client: Any, control: Any
) -> None:
    memory = _memory(control)
    ids = _strategy_ids(memory)
    _say(client, memory["id"], text("Hi! I like sushi with tuna."), text("Noted!", "ASSISTANT"))
    _settled(server)
    records = client.list_memory_records(memoryId=memory["id"], namespace="/preferences/u1")
    (record,) = records["memoryRecordSummaries"]
    assert record["content"]["text"] == "The user likes sushi with tuna."
    assert record["memoryStrategyId"] == ids["prefs"]
    best = client.retrieve_memory_records(
        memoryId=memory["id"],
        namespace="/preferences/u1",
        searchCriteria={"searchQuery": "what sushi does the user like"},
    )["memoryRecordSummaries"][0]
    assert best["memoryRecordId"] == record["memoryRecordId"]
    summary = _texts(client, memory["id"], "/summaries/u1/s1")
    assert len(summary) == 1 and "I like sushi with tuna" in summary[0]


def test_facts_one_record_each_and_one_summary_per_session(
    server: LocalMemoryServer, client: Any, control: Any
) -> None:
    memory_id = _memory(control)["id"]
    _say(client, memory_id, text("I live in Paris. I work as a nurse."))
    _say(client, memory_id, text("I live in Paris."))  # said again: not stored twice
    _say(client, memory_id, text("My dog is called Rex."), session="s2")
    _settled(server)
    facts = _texts(client, memory_id, "/facts/u1")
    assert sorted(facts) == [
        "The user lives in Paris.",
        "The user works as a nurse.",
        "The user's dog is called Rex.",
    ]
    first = _texts(client, memory_id, "/summaries/u1/s1")
    assert len(first) == 1 and "nurse" in first[0] and "I live in Paris." in first[0]
    assert len(_texts(client, memory_id, "/summaries/u1/s2")) == 1


@pytest.fixture
def control_reader() -> Iterator[Any]:
    """Starts a server with a given ``conversation_reader``: ``(server, client, control)``."""
    servers: list[LocalMemoryServer] = []

    def start(reader: Any) -> tuple[LocalMemoryServer, Any, Any]:
        server = LocalMemoryServer(conversation_reader=reader).start()
        servers.append(server)
        control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
        return server, server.client(config=NO_RETRIES), control

    yield start
    for server in servers:
        server.stop()


def _tea(client: Any, memory_id: str) -> None:
    message = SessionMessage({"role": "user", "content": [{"text": "I love green tea"}]}, 0)
    reply = SessionMessage({"role": "assistant", "content": [{"text": "I like it too"}]}, 1)
    _say(client, memory_id, encode_message(message, "agent"), encode_message(reply, "agent"))


def test_by_default_extraction_reads_the_text_as_stored(
    server: LocalMemoryServer, client: Any, control: Any
) -> None:
    """The service reads conversational text as it is: the session manager's JSON included."""
    memory_id = _memory(control)["id"]
    _tea(client, memory_id)
    _settled(server)
    (preference,) = _texts(client, memory_id, "/preferences/u1")
    assert preference.startswith('The user loves green tea"}]}')  # the JSON around the words
    (summary,) = _texts(client, memory_id, "/summaries/u1/s1")
    assert '"message_id"' in summary


def test_an_injected_conversation_reader_decodes_strands_messages(control_reader: Any) -> None:
    server, client, control = control_reader(read_strands_message)
    memory_id = _memory(control)["id"]
    _tea(client, memory_id)
    _settled(server)
    # Only the user's words are read as preferences, not the JSON around them.
    assert _texts(client, memory_id, "/preferences/u1") == ["The user loves green tea."]
    (summary,) = _texts(client, memory_id, "/summaries/u1/s1")
    assert "I love green tea" in summary and "message_id" not in summary


def test_a_message_holding_a_lone_surrogate_does_not_fail_the_session_s_jobs(
    control_reader: Any,
) -> None:
    """The codec keeps a lone surrogate as an escape; read back, it must not reach SQLite."""
    server, client, control = control_reader(read_strands_message)
    memory_id = _memory(control)["id"]
    odd = SessionMessage({"role": "user", "content": [{"text": "I like file\udc80name"}]}, 0)
    _say(client, memory_id, encode_message(odd, "agent"))
    _settled(server)
    assert _texts(client, memory_id, "/preferences/u1") == ["The user likes file\ufffdname."]
    (summary,) = _texts(client, memory_id, "/summaries/u1/s1")
    assert "file\ufffdname" in summary
    jobs = client.list_memory_extraction_jobs(memoryId=memory_id)["jobs"]
    assert len(jobs) == 3 and all("status" not in job for job in jobs)


def test_a_reader_gets_each_item_and_may_skip_it(control_reader: Any) -> None:
    seen: list[tuple[str, str, str]] = []

    def reader(role: str, stored: str, *, event_id: str) -> tuple[str, str] | None:
        seen.append((role, stored, event_id))
        return None if stored.startswith("skip") else ("USER", stored.upper())

    server, client, control = control_reader(reader)
    memory_id = _memory(control)["id"]
    event = _say(client, memory_id, text("skip: I like tea."), text("i like coffee.", "ASSISTANT"))
    _settled(server)
    assert ("USER", "skip: I like tea.", event["eventId"]) in seen
    assert ("ASSISTANT", "i like coffee.", event["eventId"]) in seen
    assert _texts(client, memory_id, "/preferences/u1") == ["The user likes COFFEE."]


def test_a_reader_that_raises_is_logged_and_the_text_read_as_stored(
    control_reader: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def reader(role: str, stored: str, *, event_id: str) -> tuple[str, str] | None:
        raise ValueError(f"cannot read {len(stored)} characters")

    server, client, control = control_reader(reader)
    memory_id = _memory(control)["id"]
    with caplog.at_level(logging.WARNING, logger="agentcore_memory_otel.local"):
        event = _say(client, memory_id, text("I like sushi."))
        _settled(server)
    assert _texts(client, memory_id, "/preferences/u1") == ["The user likes sushi."]
    jobs = client.list_memory_extraction_jobs(memoryId=memory_id)["jobs"]
    assert jobs and all("status" not in job for job in jobs)  # no job failed
    warnings = [r.getMessage() for r in caplog.records if "conversation reader" in r.getMessage()]
    assert warnings and all(event["eventId"] in w and "ValueError" in w for w in warnings)


def test_skip_and_memories_without_strategies_extract_nothing(
    server: LocalMemoryServer, client: Any, control: Any, memory_id: str
) -> None:
    _say(client, memory_id, text("I like tea."))
    assert client.list_memory_extraction_jobs(memoryId=memory_id)["jobs"] == []
    with_strategies = _memory(control)["id"]
    _say(client, with_strategies, text("I like tea."), extractionMode="SKIP")
    _settled(server)
    assert client.list_memory_extraction_jobs(memoryId=with_strategies)["jobs"] == []
    assert _texts(client, with_strategies, "/preferences/u1") == []


def test_jobs_are_listed_per_strategy_with_their_messages(
    server: LocalMemoryServer, client: Any, control: Any
) -> None:
    memory = _memory(control)
    event = _say(client, memory["id"], text("I like tea."), {"blob": "x"}, text("ok", "ASSISTANT"))
    _settled(server)
    jobs = client.list_memory_extraction_jobs(memoryId=memory["id"])["jobs"]
    assert {j["strategyId"] for j in jobs} == set(_strategy_ids(memory).values())
    for job in jobs:
        assert job["actorId"] == "u1" and job["sessionId"] == "s1"
        assert "status" not in job  # succeeded; the model's status enum has only FAILED
        assert job["messages"]["messagesList"] == [
            {"eventId": event["eventId"], "messageIndex": 0},
            {"eventId": event["eventId"], "messageIndex": 2},
        ]
    only = client.list_memory_extraction_jobs(
        memoryId=memory["id"], filter={"strategyId": jobs[0]["strategyId"]}
    )["jobs"]
    assert [j["jobID"] for j in only] == [jobs[0]["jobID"]]


class FlakyExtractor:
    """Fails until told to work."""

    def __init__(self) -> None:
        self.broken = True

    def extract(
        self, kind: StrategyType, messages: Sequence[Message], prompt: str | None
    ) -> list[str]:
        if self.broken:
            raise RuntimeError("extraction model unavailable")
        return [f"{kind.name}: {messages[0].text}"]


@pytest.fixture
def flaky() -> Iterator[tuple[LocalMemoryServer, FlakyExtractor]]:
    extractor = FlakyExtractor()
    with LocalMemoryServer(extractor=extractor) as running:
        yield running, extractor


def test_a_failed_job_is_listed_and_can_be_started_again(
    flaky: tuple[LocalMemoryServer, FlakyExtractor],
) -> None:
    server, extractor = flaky
    client = server.client(config=NO_RETRIES)
    control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
    memory_id = _memory(control, STRATEGIES[:1])["id"]
    _say(client, memory_id, text("I like tea."))
    _settled(server)
    (job,) = client.list_memory_extraction_jobs(memoryId=memory_id, filter={"status": "FAILED"})[
        "jobs"
    ]
    assert job["status"] == "FAILED"
    assert "extraction model unavailable" in job["failureReason"]
    extractor.broken = False
    started = client.start_memory_extraction_job(
        memoryId=memory_id, extractionJob={"jobId": job["jobID"]}
    )
    assert started["jobId"] == job["jobID"]
    _settled(server)
    assert _texts(client, memory_id, "/preferences/u1") == ["USER_PREFERENCE: I like tea."]
    assert (
        client.list_memory_extraction_jobs(memoryId=memory_id, filter={"status": "FAILED"})["jobs"]
        == []
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.start_memory_extraction_job(memoryId=memory_id, extractionJob={"jobId": "job-nope"})


def test_ingest_data_extracts_without_storing_events(
    server: LocalMemoryServer, client: Any, control: Any
) -> None:
    memory_id = _memory(control)["id"]
    request = {
        "memoryId": memory_id,
        "actorId": "u1",
        "contentTimestamp": time.time(),
        "source": {"inline": {"payload": [text("I prefer aisle seats.")]}},
        "clientToken": "ingest-1",
    }
    first = client.ingest_data(**request)
    again = client.ingest_data(**{**request, "contentTimestamp": time.time() + 5})
    assert again["sessionId"] == first["sessionId"]
    _settled(server)
    assert _texts(client, memory_id, "/preferences/u1") == ["The user prefers aisle seats."]
    assert client.list_sessions(memoryId=memory_id, actorId="u1")["sessionSummaries"] == []
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.ingest_data(**{**request, "source": {"inline": {"payload": [text("other")]}}})
    assert caught.value.response["reason"] == "IdempotentParameterMismatchException"


def test_namespace_templates_resolve_strategy_id_and_namespace_keys(
    server: LocalMemoryServer, client: Any, control: Any
) -> None:
    memory = _memory(
        control,
        [
            {
                "userPreferenceMemoryStrategy": {
                    "name": "prefs",
                    "namespaceTemplates": ["/t/{tenant}/{memoryStrategyId}/{actorId}"],
                }
            }
        ],
        namespaceKeys=[{"key": "tenant"}],
    )
    strategy_id = memory["strategies"][0]["strategyId"]
    _say(
        client,
        memory["id"],
        text("I like jazz."),
        extractionConfig={"namespaceVariables": {"tenant": "acme"}},
    )
    _say(client, memory["id"], text("I like rock."))  # no value for {tenant}
    _settled(server)
    assert _texts(client, memory["id"], f"/t/acme/{strategy_id}/u1") == ["The user likes jazz."]
    (failed,) = client.list_memory_extraction_jobs(
        memoryId=memory["id"], filter={"status": "FAILED"}
    )["jobs"]
    assert "{tenant}" in failed["failureReason"]


class PromptRecorder(ScriptedModel):
    """A scripted model that remembers the system prompts it was given."""

    def __init__(self, replies: list[str]) -> None:
        super().__init__(replies)
        self.system_prompts: list[str | None] = []

    def stream(
        self, messages: Any, tool_specs: Any = None, system_prompt: Any = None, **kw: Any
    ) -> Any:
        self.system_prompts.append(system_prompt)
        return super().stream(messages, tool_specs, system_prompt, **kw)


def test_a_strands_model_extracts_for_a_custom_strategy_with_its_prompt() -> None:
    model = PromptRecorder(["- The user likes hiking\n- The user owns a red bike"])
    with LocalMemoryServer(extractor=ModelExtractor(model)) as server:
        client = server.client(config=NO_RETRIES)
        control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
        custom = {
            "customMemoryStrategy": {
                "name": "outdoors",
                "namespaceTemplates": ["/outdoors/{actorId}"],
                "configuration": {
                    "semanticOverride": {
                        "extraction": {
                            "appendToPrompt": "Only keep outdoor activities.",
                            "modelId": "anthropic.claude-3-haiku",
                        }
                    }
                },
            }
        }
        memory = _memory(control, [custom])
        stored = control.get_memory(memoryId=memory["id"])["memory"]["strategies"][0]
        assert stored["type"] == "CUSTOM"
        assert stored["configuration"]["type"] == "SEMANTIC_OVERRIDE"
        override = stored["configuration"]["extraction"]["customExtractionConfiguration"]
        assert override["semanticExtractionOverride"]["appendToPrompt"] == (
            "Only keep outdoor activities."
        )
        _say(client, memory["id"], text("I went hiking on my red bike."))
        _settled(server)
        assert sorted(_texts(client, memory["id"], "/outdoors/u1")) == [
            "The user likes hiking",
            "The user owns a red bike",
        ]
        assert model.calls == 1
        assert "Only keep outdoor activities." in (model.system_prompts[0] or "")


def test_jobs_pending_at_shutdown_finish_after_a_restart(tmp_path: Any) -> None:
    from agentcore_memory_otel.local import Backend
    from agentcore_memory_otel.local.handlers import REGISTRY, Request

    path = tmp_path / "memory.db"
    first = Backend(path)
    first.extraction.close()  # the worker is gone: jobs stay PENDING in the file
    memory = first.memories.create(
        {"name": "restart", "eventExpiryDuration": 30, "memoryStrategies": STRATEGIES[:1]}
    )
    REGISTRY["CreateEvent"](
        first,
        Request(
            labels={"memoryId": memory["id"]},
            body={
                "actorId": "u1",
                "sessionId": "s1",
                "eventTimestamp": time.time(),
                "payload": [text("I like chess.")],
            },
        ),
    )
    first.close()
    second = Backend(path)
    try:
        assert second.extraction.wait_idle(10)
        records, _ = second.records.list_records(
            memory["id"], Scope(namespace="/preferences/u1"), max_results=10, next_token=None
        )
        assert [r["content"]["text"] for r in records] == ["The user likes chess."]
    finally:
        second.close()


@pytest.mark.parametrize("escape", [SystemExit, KeyboardInterrupt, GeneratorExit])
def test_a_reader_raising_a_base_exception_stops_no_later_extraction(
    control_reader: Any, escape: type[BaseException]
) -> None:
    """A caller's reader that exits (sys.exit, an interrupt raised by hand) is a failed reading.

    It is not an Exception: it ended the extraction worker, which was never started again, so
    every later job of the server stayed PENDING.
    """
    raised: list[str] = []

    def reader(role: str, stored: str, *, event_id: str) -> tuple[str, str] | None:
        if not raised:
            raised.append(event_id)
            raise escape("the reader gave up")
        return role, stored

    server, client, control = control_reader(reader)
    memory_id = _memory(control)["id"]
    _say(client, memory_id, text("I like sushi."))
    _settled(server)
    _say(client, memory_id, text("I like tea."), session="s2")
    _settled(server)
    assert raised
    assert sorted(_texts(client, memory_id, "/preferences/u1")) == [
        "The user likes sushi.",
        "The user likes tea.",
    ]


class _ExitsOnce:
    """The rule-based extractor, but its first call raises SystemExit."""

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, kind: StrategyType, messages: Sequence[Message], prompt: str | None) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise SystemExit("the extractor gave up")
        return [f"The user said {len(messages)} thing(s)."]


def test_an_extractor_raising_system_exit_fails_its_job_and_later_jobs_run() -> None:
    extractor = _ExitsOnce()
    with LocalMemoryServer(extractor=extractor) as server:
        control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
        client = server.client(config=NO_RETRIES)
        strategies = [{"semanticMemoryStrategy": {"name": "f", "namespaces": ["/f/{actorId}"]}}]
        memory_id = _memory(control, strategies)["id"]
        _say(client, memory_id, text("I like sushi."))
        _settled(server)
        _say(client, memory_id, text("I like tea."), session="s2")
        _settled(server)
        jobs = client.list_memory_extraction_jobs(memoryId=memory_id)["jobs"]
        assert sorted(job.get("status", "-") for job in jobs) == ["-", "FAILED"]
        assert _texts(client, memory_id, "/f/u1") == ["The user said 1 thing(s)."]


def test_a_slow_reader_does_not_outlive_stop_and_its_job_finishes_after_a_restart(
    tmp_path: Any,
) -> None:
    """stop() waited 10 s for a job reading a long event slowly, then closed the database under
    the worker, which went on reading (and failed at the end). Now the job stops between two
    items and stays PENDING: the next server on the file runs it."""
    started = threading.Event()

    def slow(role: str, stored: str, *, event_id: str) -> tuple[str, str] | None:
        started.set()
        time.sleep(0.2)  # 100 items: 20 s
        return role, stored

    summary = [s for s in STRATEGIES if "summaryMemoryStrategy" in s]
    path = tmp_path / "memory.db"
    server = LocalMemoryServer(path, conversation_reader=slow).start()
    control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
    memory_id = _memory(control, summary)["id"]
    items = [text(f"I like sport number {index}.") for index in range(100)]
    _say(server.client(config=NO_RETRIES), memory_id, *items)
    assert started.wait(10)
    server.stop()
    assert not [t for t in threading.enumerate() if t.name == "agentcore-memory-extraction"]
    with LocalMemoryServer(path) as again:
        _settled(again)
        (found,) = _texts(again.client(config=NO_RETRIES), memory_id, "/summaries/u1/s1")
        assert "sport number 99" in found
