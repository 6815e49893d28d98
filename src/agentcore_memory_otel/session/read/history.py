"""Repairing restored history the way Strands' ``RepositorySessionManager`` does, and no more.

A restored window can start mid-exchange, a crash can leave a toolUse without its result, and
two session managers can interleave their turns. Strands repairs broken tool-use pairs in
memory when it restores (its ``_fix_broken_tool_use``) and leaves the last message to the
``Agent``: a trailing toolUse is answered when the next prompt arrives, or resumed when an
interrupt is answered.
This module applies the same rules, so a restored agent holds what it would hold with Strands'
own ``FileSessionManager``:

1. A user message holding toolResults whose previous message holds no toolUse loses those
   blocks; if nothing is left, the message is dropped.
2. Every message with toolUse, except the last, is followed by exactly one toolResult per
   toolUse id: missing ones become error results ("Tool was interrupted."), results for other
   ids are dropped, and when the next message holds no result at all but other content, a user
   message with the results is inserted before it.

Nothing else is changed: no merging of neighbours, no closing note. The repair lives only in
the agent's memory; nothing of it is stored.
"""

from __future__ import annotations

import logging
import uuid

from strands.types.content import ContentBlock, Message

logger = logging.getLogger(__name__)

INTERRUPTED_TOOL_TEXT = "Tool was interrupted."
"""The error text Strands gives a toolUse whose result is missing."""


def _tool_use_ids(message: Message) -> list[str]:
    return [block["toolUse"]["toolUseId"] for block in message["content"] if "toolUse" in block]


def _has(message: Message, kind: str) -> bool:
    return any(kind in block for block in message["content"])


def interrupted_result(tool_use_id: str) -> ContentBlock:
    """The error toolResult standing in for a result that was never stored."""
    return {
        "toolResult": {
            "toolUseId": tool_use_id,
            "status": "error",
            "content": [{"text": INTERRUPTED_TOOL_TEXT}],
        }
    }


def fix_broken_tool_use(messages: list[Message]) -> list[Message]:
    """Repair broken toolUse/toolResult pairs by the rules in the module docstring.

    Returns a new list; messages that need no repair are the same objects.
    """
    fixed = list(messages)
    # Rule 1, newest first so that a removal keeps the earlier indices valid.
    for index in range(len(fixed) - 1, -1, -1):
        message = fixed[index]
        if message["role"] != "user" or not _has(message, "toolResult"):
            continue
        if index > 0 and _has(fixed[index - 1], "toolUse"):
            continue
        logger.warning(
            "message_index=<%d> | dropping toolResult without a toolUse before it", index
        )
        rest = [block for block in message["content"] if "toolResult" not in block]
        if rest:
            fixed[index] = {**message, "content": rest}
        else:
            del fixed[index]
    # Rule 2: the indices are taken before any insertion, and walked newest first.
    last = len(fixed) - 1
    with_uses = [i for i, message in enumerate(fixed) if i < last and _has(message, "toolUse")]
    for index in reversed(with_uses):
        ids = _tool_use_ids(fixed[index])
        following = fixed[index + 1]
        results = {
            block["toolResult"]["toolUseId"]: block
            for block in following["content"]
            if "toolResult" in block
        }
        if set(results) == set(ids):
            continue
        logger.warning(
            "tool_use_ids=<%s>, result_ids=<%s> | rebuilding unmatched tool results",
            ids,
            list(results),
        )
        others = [block for block in following["content"] if "toolResult" not in block]
        rebuilt = [
            results.get(tool_use_id) or interrupted_result(tool_use_id) for tool_use_id in ids
        ]
        if not results and others:
            # Strands gives the message it adds a tracking id, as appended messages have.
            fixed.insert(
                index + 1, {"role": "user", "content": rebuilt, "tracking_id": str(uuid.uuid4())}
            )
        else:
            fixed[index + 1] = {**following, "content": rebuilt + others}
    return fixed


def strip_tool_context(messages: list[Message]) -> list[Message]:
    """Remove every toolUse and toolResult block, and the messages left empty (as the SDK does)."""
    stripped: list[Message] = []
    for message in messages:
        content = [b for b in message["content"] if "toolUse" not in b and "toolResult" not in b]
        if content:
            stripped.append({**message, "content": content})
    return stripped
