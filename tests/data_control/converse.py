"""The rules of the Converse API a stored and restored conversation must keep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BINARY = ("image", "document", "video")


def converse_problems(messages: Sequence[Any]) -> list[str]:
    """Why Converse would refuse ``messages`` (empty when it would accept them).

    Checked: every message and every tool result holds content, no text block is blank,
    binary blocks carry a format and bytes, each toolUse is answered by a toolResult in the
    next message and each toolResult answers a toolUse of the message before.
    """
    problems: list[str] = []
    for index, message in enumerate(messages):
        content = message.get("content") or []
        if not content:
            problems.append(f"message {index} has no content")
        for block in content:
            problems += _block_problems(index, block)
            result = block.get("toolResult")
            if result is not None:
                if not result.get("content"):
                    problems.append(f"message {index}: a toolResult has no content")
                for inner in result.get("content") or []:
                    problems += _block_problems(index, inner)
        uses = {b["toolUse"]["toolUseId"] for b in content if "toolUse" in b}
        following = messages[index + 1]["content"] if index + 1 < len(messages) else []
        answered = {b["toolResult"]["toolUseId"] for b in following if "toolResult" in b}
        if uses - answered and index + 1 < len(messages):
            problems.append(f"message {index}: toolUse {sorted(uses - answered)} unanswered")
        results = {b["toolResult"]["toolUseId"] for b in content if "toolResult" in b}
        previous = messages[index - 1]["content"] if index else []
        asked = {b["toolUse"]["toolUseId"] for b in previous if "toolUse" in b}
        if results - asked:
            problems.append(f"message {index}: toolResult {sorted(results - asked)} unasked")
    return problems


def _block_problems(index: int, block: dict[str, Any]) -> list[str]:
    if "text" in block and not str(block["text"]).strip():
        return [f"message {index}: a text block is blank"]
    for kind in BINARY:
        body = block.get(kind)
        if body is not None and not (body.get("format") and body.get("source", {}).get("bytes")):
            return [f"message {index}: a {kind} block lacks its format or bytes"]
    return []
