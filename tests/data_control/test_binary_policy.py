"""binary_policy: images and documents stored whole, as placeholders or dropped.

A real agent gets a document from the user and an image (with and without a caption) from its
tools; the conversation is stored, a second manager restores it, and the restored history must
be what the policy says and stay valid for Converse (``converse_problems``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from strands import Agent, tool

from agentcore_memory_otel.testing import ScriptedModel, ToolCall

from ..support import ManagerFactory, stored_events
from .converse import converse_problems

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # 10,248 bytes
PDF = b"%PDF-1.7 " + b"x" * 3000


@tool
def screenshot() -> dict[str, Any]:
    """A screenshot with a caption."""
    return {
        "status": "success",
        "content": [{"image": {"format": "png", "source": {"bytes": PNG}}}, {"text": "caption"}],
    }


@tool
def photo() -> dict[str, Any]:
    """A photo, nothing else."""
    return {
        "status": "success",
        "content": [{"image": {"format": "jpeg", "source": {"bytes": PNG}}}],
    }


def _agent(manager: Any, script: list[Any]) -> Agent:
    return Agent(
        model=ScriptedModel(script),
        session_manager=manager,
        tools=[screenshot, photo],
        callback_handler=None,
    )


def _converse(make_manager: ManagerFactory, policy: str) -> list[Any]:
    with make_manager(binary_policy=policy) as manager:
        agent = _agent(manager, [ToolCall("screenshot"), ToolCall("photo"), "done"])
        document = {"document": {"format": "pdf", "name": "report", "source": {"bytes": PDF}}}
        prompt: Any = [document, {"text": "read this"}]
        agent(prompt)
        assert converse_problems(agent.messages) == []  # the live agent keeps its bytes
        assert agent.messages[0]["content"][0]["document"]["source"]["bytes"] == PDF
    with make_manager(binary_policy=policy) as manager:
        return _agent(manager, []).messages


def _blocks(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every content block, tool results' included, in order."""
    out: list[dict[str, Any]] = []
    for message in messages:
        for block in message["content"]:
            out.append(block)
            out += block.get("toolResult", {}).get("content", [])
    return out


def test_keep_stores_and_restores_the_bytes(make_manager: ManagerFactory) -> None:
    restored = _converse(make_manager, "keep")
    assert converse_problems(restored) == []
    images = [b["image"] for b in _blocks(restored) if "image" in b]
    assert [i["source"]["bytes"] for i in images] == [PNG, PNG]
    assert _blocks(restored)[0]["document"]["source"]["bytes"] == PDF


def test_placeholder_keeps_type_name_format_and_size(make_manager: ManagerFactory) -> None:
    restored = _converse(make_manager, "placeholder")
    assert converse_problems(restored) == []
    texts = [b["text"] for b in _blocks(restored) if "text" in b]
    assert f"[document: name=report, pdf, {len(PDF)} bytes]" in texts
    assert f"[image: png, {len(PNG)} bytes]" in texts
    assert f"[image: jpeg, {len(PNG)} bytes]" in texts
    assert "caption" in texts
    assert not any(kind in b for b in _blocks(restored) for kind in ("image", "document"))


def test_drop_leaves_a_valid_conversation(make_manager: ManagerFactory) -> None:
    restored = _converse(make_manager, "drop")
    assert converse_problems(restored) == []
    blocks = _blocks(restored)
    assert not any(kind in b for b in blocks for kind in ("image", "document"))
    texts = [b["text"] for b in blocks if "text" in b]
    assert texts[0] == "read this"  # the document is gone, the user's words stay
    assert "caption" in texts  # the screenshot's result keeps its caption alone
    assert "[image dropped]" in texts  # the photo's result would be empty without it


@pytest.mark.parametrize(
    ("policy", "bytes_stored"), [("keep", True), ("placeholder", False), ("drop", False)]
)
def test_bytes_are_stored_only_when_kept(
    make_manager: ManagerFactory, server: Any, memory_id: str, policy: str, bytes_stored: bool
) -> None:
    _converse(make_manager, policy)
    stored = json.dumps(stored_events(server, memory_id), default=str)
    assert ("__bytes_encoded__" in stored) is bytes_stored


def test_a_bad_policy_names_the_field(make_manager: ManagerFactory) -> None:
    with pytest.raises(ValueError, match="binary_policy"):
        make_manager(binary_policy="discard")
