"""Content that escaped the filter: a document's name, a state value that looks like a message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore_memory_otel import redact_common
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.content_policy import BinaryPolicy, ContentPolicy

from ..session.multi_agent_scenarios import crash, graph
from ..support import ManagerFactory, make_agent, stored_events
from .converse import converse_problems

EMAIL = "jane.doe@example.com"


@pytest.mark.parametrize(
    "source", [{"bytes": b"%PDF-1.7"}, {"location": {"type": "s3", "uri": "s3://b/k"}}]
)
def test_a_kept_documents_name_goes_through_the_filter(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, source: Any
) -> None:
    document: Any = {"document": {"format": "pdf", "name": f"contract {EMAIL}", "source": source}}
    with make_manager(content_filter=redact_common) as manager:  # binary_policy: keep
        prompt: Any = [{"text": "read this"}, document]
        make_agent(manager, ["ok"])(prompt)
    with make_manager(content_filter=redact_common) as manager:
        restored = make_agent(manager, [])
    block = restored.messages[0]["content"][1]["document"]
    assert block["name"] == "contract [EMAIL]"
    assert block["source"] == source and block["format"] == "pdf"
    assert EMAIL not in json.dumps(stored_events(server, memory_id), default=str)


def test_a_state_value_shaped_like_a_message_has_its_role_filtered() -> None:
    state = {"who": {"role": f"admin {EMAIL}", "content": [{"text": EMAIL}]}}
    out = ContentPolicy(redact_common, BinaryPolicy.KEEP).agent_record({"state": state})
    assert out["state"]["who"] == {"role": "admin [EMAIL]", "content": [{"text": "[EMAIL]"}]}
    message: Any = {"role": "assistant", "content": [{"text": EMAIL}]}
    assert ContentPolicy(redact_common).message(message)["role"] == "assistant"


def test_a_graph_task_with_its_image_dropped_resumes_without_a_null_block(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """binary_policy="drop" on a Graph's task (a list of blocks): the image goes, no ``None``
    stays in its place, and the graph resumes at the node that crashed."""
    policy = {"content_filter": redact_common, "binary_policy": "drop"}
    task: Any = [
        {"text": f"report on {EMAIL}"},
        {"image": {"format": "png", "source": {"bytes": b"\x89PNG" + bytes(100)}}},
    ]
    first = graph(make_manager(**policy), {"research": ["found it"], "write": crash})
    with pytest.raises(RuntimeError, match="node crashed"):
        first.orchestrator(task)
    second = graph(make_manager(**policy), {"research": [], "write": ["draft"]})
    state = second.orchestrator.serialize_state()
    assert state["next_nodes_to_execute"] == ["write"]
    assert state["current_task"] == [{"text": "report on [EMAIL]"}]
    result = second.orchestrator(task)
    assert result.results["write"].status.value == "completed"
    assert second.model_calls() == {"research": 0, "write": 1}


def test_a_task_of_only_dropped_blocks_keeps_one_placeholder() -> None:
    image = {"image": {"format": "png", "source": {"bytes": b"\x89PNG"}}}
    state: Any = {"type": "graph", "current_task": [image, image]}
    out = ContentPolicy(binary=BinaryPolicy.DROP).multi_agent_record(state)
    assert out["current_task"] == [{"text": "[image, image dropped]"}]


def test_a_filter_that_blanks_a_text_block_leaves_a_conversation_converse_accepts(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """A filter may remove a whole text ("" for anything with a secret): the block goes, and a
    message (or tool result) left without content holds one placeholder."""

    def blank(text: str) -> str:
        return "" if "secret" in text else text

    with make_manager(content_filter=blank) as manager:
        agent = make_agent(manager, ["ok", "ok"])
        prompt: Any = [{"text": "my secret is 42"}, {"text": "and the weather?"}]
        agent(prompt)
        agent("another secret")
    with make_manager(content_filter=blank) as manager:
        restored = make_agent(manager, [])
    assert [m["content"] for m in restored.messages] == [
        [{"text": "and the weather?"}],
        [{"text": "ok"}],
        [{"text": "[text dropped]"}],
        [{"text": "ok"}],
    ]
    assert converse_problems(restored.messages) == []
    assert "secret" not in json.dumps(stored_events(server, memory_id), default=str)
