"""Content that escaped the filter: a document's name, a state value that looks like a message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore_memory_otel import redact_common
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.persistence.content_policy import BinaryPolicy, ContentPolicy

from ..support import ManagerFactory, make_agent, stored_events

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
