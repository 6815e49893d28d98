"""Attacks on the content policy: shapes that could slip content past it or break a restore."""

from __future__ import annotations

import json
from typing import Any

import pytest
from strands.types.session import SessionMessage

from agentcore_memory_otel import redact_common
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.content_policy import BinaryPolicy, ContentPolicy
from agentcore_memory_otel.wire.pending import EVENT_PAYLOAD_MAX_BYTES

from ..session.multi_agent_scenarios import _drop_timings, crash, graph, handoff, swarm
from ..support import SESSION, ManagerFactory, make_agent, stored_events
from .converse import converse_problems

EMAIL = "jane.doe@example.com"
PNG = b"\x89PNG" + bytes(100)


def _raw(server: LocalMemoryServer, memory_id: str) -> str:
    return json.dumps(stored_events(server, memory_id), default=str)


def test_state_shaped_like_a_message_has_every_member_filtered() -> None:
    """A state value with ``role`` and ``content`` is read as a message: its other members
    must not escape the filter."""
    state = {"who": {"role": "admin", "content": [], "email": EMAIL}}
    out = ContentPolicy(redact_common).agent_record({"state": state})
    assert EMAIL not in json.dumps(out)


def test_a_message_with_extra_members_has_them_filtered() -> None:
    message: Any = {"role": "user", "content": [{"text": "x"}], "note": EMAIL}
    out: Any = ContentPolicy(redact_common).message(message)
    assert out["note"] == "[EMAIL]"


@pytest.mark.parametrize("policy", [BinaryPolicy.PLACEHOLDER, BinaryPolicy.DROP])
def test_bytes_given_as_text_are_still_binary(policy: BinaryPolicy) -> None:
    """A malformed image whose bytes are a string is not mistaken for an S3 reference."""
    block = {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}}
    message: Any = {"role": "user", "content": [block, {"text": "look"}]}
    out = ContentPolicy(binary=policy).message(message)
    assert "iVBORw0KGgo" not in json.dumps(out)
    if policy is BinaryPolicy.PLACEHOLDER:
        assert out["content"][0] == {"text": "[image: png]"}  # size unknown: left out


def test_an_s3_reference_is_kept_under_every_policy() -> None:
    block = {"image": {"format": "png", "source": {"location": {"type": "s3", "uri": "s3://b/k"}}}}
    message: Any = {"role": "user", "content": [block]}
    for policy in BinaryPolicy:
        assert ContentPolicy(binary=policy).message(message) == message


def test_a_document_name_goes_through_the_filter() -> None:
    name = f"invoice for {EMAIL}"
    block = {"document": {"format": "pdf", "name": name, "source": {"bytes": b"%PDF"}}}
    message: Any = {"role": "user", "content": [block]}
    out = ContentPolicy(redact_common, BinaryPolicy.PLACEHOLDER).message(message)
    assert out["content"] == [{"text": "[document: name=invoice for [EMAIL], pdf, 4 bytes]"}]


def test_dropping_every_block_of_a_tool_result_leaves_it_valid() -> None:
    image = {"image": {"format": "png", "source": {"bytes": PNG}}}
    messages: Any = [
        {"role": "user", "content": [image]},
        {
            "role": "assistant",
            "content": [{"toolUse": {"toolUseId": "t", "name": "x", "input": {}}}],
        },
        {
            "role": "user",
            "content": [
                {"toolResult": {"toolUseId": "t", "status": "success", "content": [image]}}
            ],
        },
    ]
    out = [ContentPolicy(binary=BinaryPolicy.DROP).message(m) for m in messages]
    assert converse_problems(out) == []
    assert out[0]["content"] == [{"text": "[image dropped]"}]


def test_lone_surrogates_and_secrets_store_and_restore(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    text = f"\ud800 {EMAIL} \udfff é 😀"
    with make_manager(content_filter=redact_common) as manager:
        make_agent(manager, ["ok"])(text)
    with make_manager(content_filter=redact_common) as manager:
        restored = make_agent(manager, [])
    assert restored.messages[0]["content"][0]["text"] == "\ud800 [EMAIL] \udfff é 😀"
    assert EMAIL not in _raw(server, memory_id)


def test_a_filter_that_grows_the_text_past_an_event_is_stored_in_parts(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    def grow(text: str) -> str:
        return text.replace("grow", "x" * (EVENT_PAYLOAD_MAX_BYTES + 10))

    with make_manager(content_filter=grow) as manager:
        make_agent(manager, ["ok"])("grow")
    with make_manager(content_filter=grow) as manager:
        restored = make_agent(manager, [])
    assert len(restored.messages[0]["content"][0]["text"]) == EVENT_PAYLOAD_MAX_BYTES + 10
    assert len(stored_events(server, memory_id)) >= 3  # two parts, then the answer


def test_the_repository_methods_store_filtered_messages(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    with make_manager(content_filter=redact_common) as manager:
        make_agent(manager, ["ok"])("hello")
        message = SessionMessage({"role": "user", "content": [{"text": EMAIL}]}, 2)
        manager.create_message(SESSION, "default", message)
        manager.update_message(SESSION, "default", message)
    raw = _raw(server, memory_id)
    assert EMAIL not in raw and raw.count("[EMAIL]") >= 2


def test_a_graph_resumes_from_a_filtered_checkpoint(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """The task and the first node's result are filtered; node ids are not, so the graph
    still resumes at the node that crashed."""
    policy = {"content_filter": redact_common, "binary_policy": "placeholder"}
    task: Any = [
        {"text": f"report on {EMAIL}"},
        {"image": {"format": "png", "source": {"bytes": PNG}}},
    ]
    first = graph(make_manager(**policy), {"research": [f"found {EMAIL}"], "write": crash})
    with pytest.raises(RuntimeError, match="node crashed"):
        first.orchestrator(task)
    second = graph(make_manager(**policy), {"research": [], "write": ["draft"]})
    state = second.orchestrator.serialize_state()
    assert state["next_nodes_to_execute"] == ["write"]
    assert state["current_task"] == [
        {"text": "report on [EMAIL]"},
        {"text": f"[image: png, {len(PNG)} bytes]"},
    ]
    result = second.orchestrator(task)
    assert result.results["write"].status.value == "completed"
    assert second.model_calls() == {"research": 0, "write": 1}
    assert EMAIL not in _raw(server, memory_id)


def test_a_swarm_checkpoint_is_the_unfiltered_one_but_for_the_placeholders(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """The same failing swarm run with and without the filter: the stored checkpoints differ
    only where the filter put its placeholders (ids, statuses, node lists are untouched)."""

    def checkpoint(session: str, **policy: Any) -> str:
        scripts: Any = {"triage": [handoff("billing"), f"mail {EMAIL}"], "billing": crash}
        swarm(make_manager(session_id=session, **policy), scripts).orchestrator(f"refund {EMAIL}")
        blobs = [
            json.loads(item["blob"])["state"]
            for event in stored_events(server, memory_id, session=session)
            for item in event["payload"]
            if "multi_agent_id" in item.get("blob", "")
        ]
        state = blobs[-1]
        for key in ("execution_time", "accumulated_metrics"):
            state.pop(key, None)
        for node_result in state["node_results"].values():
            _drop_timings(node_result)
        return json.dumps(state, sort_keys=True)

    plain = checkpoint("plain")
    filtered = checkpoint("filtered", content_filter=redact_common)
    assert EMAIL in plain and '"billing"' in plain
    assert filtered == plain.replace(EMAIL, "[EMAIL]")


def _nested(depth: int) -> Any:
    value: Any = EMAIL
    for _ in range(depth):
        value = {"k": value}
    return value


def test_a_deeply_nested_tool_input_is_filtered_as_deep_as_json_encodes() -> None:
    message: Any = {
        "role": "assistant",
        "content": [{"toolUse": {"toolUseId": "t", "name": "n", "input": _nested(800)}}],
    }
    json.dumps(message)  # the stored format can hold it
    out = json.dumps(ContentPolicy(redact_common).message(message))
    assert EMAIL not in out and "[EMAIL]" in out


def test_a_value_nested_past_the_recursion_limit_is_refused_by_name() -> None:
    message: Any = {
        "role": "assistant",
        "content": [{"toolUse": {"toolUseId": "t", "name": "n", "input": _nested(5000)}}],
    }
    with pytest.raises(ValueError, match="nested too deep to filter"):
        ContentPolicy(redact_common).message(message)
