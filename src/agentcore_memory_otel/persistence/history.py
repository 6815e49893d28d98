"""Keeping restored history valid for the Converse API.

Converse rejects a toolResult without its toolUse in the message before, a toolUse without its
result in the message after, empty messages, and two messages of the same role in a row.
A restored window can start or end mid-exchange, and ``filter_restored_tool_context`` removes
tool blocks, so both paths finish here.
"""

from __future__ import annotations

import copy

from strands.types.content import ContentBlock, Message


def _tool_ids(message: Message, kind: str) -> set[str]:
    key = "toolUseId"
    return {block[kind][key] for block in message["content"] if kind in block}  # type: ignore[literal-required]


def strip_tool_context(messages: list[Message]) -> list[Message]:
    """Remove every toolUse and toolResult block, then make the history valid again."""
    stripped: list[Message] = []
    for message in messages:
        content = [b for b in message["content"] if "toolUse" not in b and "toolResult" not in b]
        stripped.append({**message, "content": content})
    return make_valid(stripped)


def make_valid(messages: list[Message]) -> list[Message]:
    """Drop unpaired tool blocks and empty messages, and merge same-role neighbours.

    A toolUse in the very last message is kept: the agent resolves a pending tool call itself
    when the next prompt arrives.
    """
    result = [copy.copy(m) for m in messages]
    for index, message in enumerate(result):
        previous = result[index - 1] if index > 0 else None
        following = result[index + 1] if index + 1 < len(result) else None
        uses = _tool_ids(previous, "toolUse") if previous else set()
        answered = _tool_ids(following, "toolResult") if following else None
        content: list[ContentBlock] = []
        for block in message["content"]:
            if "toolResult" in block and block["toolResult"]["toolUseId"] not in uses:
                continue
            if (
                "toolUse" in block
                and answered is not None
                and block["toolUse"]["toolUseId"] not in answered
            ):
                continue
            content.append(block)
        result[index] = {**message, "content": content}
    merged: list[Message] = []
    for message in result:
        if not message["content"]:
            continue
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1] = {**merged[-1], "content": [*merged[-1]["content"], *message["content"]]}
        else:
            merged.append(message)
    return merged


INTERRUPTED_TOOL_TEXT = "Tool was interrupted."
INTERRUPTED_TURN_TEXT = "[The previous turn was interrupted before a reply was stored.]"


def close_unfinished_turn(messages: list[Message]) -> list[Message]:
    """The messages that close a conversation whose last turn never finished.

    A process that stops mid-turn leaves the prompt without a reply, or a toolUse without its
    result. As Strands' ``RepositorySessionManager`` does for a broken tool-use pair, the gap is
    filled rather than the history cut: every unanswered toolUse gets an error toolResult
    ("Tool was interrupted.", Strands' own wording), and the turn gets a short assistant note,
    so that the next prompt follows an assistant message. Returns an empty list for a finished
    conversation.
    """
    if not messages:
        return []
    last = messages[-1]
    added: list[Message] = []
    if last["role"] == "assistant":
        pending = [b["toolUse"]["toolUseId"] for b in last["content"] if "toolUse" in b]
        if not pending:
            return []
        added.append(
            {
                "role": "user",
                "content": [
                    {
                        "toolResult": {
                            "toolUseId": tool_use_id,
                            "status": "error",
                            "content": [{"text": INTERRUPTED_TOOL_TEXT}],
                        }
                    }
                    for tool_use_id in pending
                ],
            }
        )
    added.append({"role": "assistant", "content": [{"text": INTERRUPTED_TURN_TEXT}]})
    return added
