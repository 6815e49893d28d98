"""Short, readable renderings of Strands content blocks: for the command line and the console."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def describe_block(block: dict[str, Any]) -> str:
    """One content block as a short line of text."""
    if "text" in block:
        text = " ".join(str(block["text"]).split())
        return text if len(text) <= 160 else text[:157] + "..."
    if "toolUse" in block:
        use = block["toolUse"]
        return f"[toolUse {use.get('name')} {json.dumps(use.get('input'))}]"
    if "toolResult" in block:
        result = block["toolResult"]
        parts = [describe_block(c) for c in result.get("content", [])]
        return f"[toolResult {result.get('status')}: {' '.join(parts)}]"
    return f"[{next(iter(block), 'empty')}]"


def message_kind(message: Mapping[str, Any]) -> str:
    """A message as its role and block kinds, e.g. ``user: toolResult``."""
    kinds = [next(iter(block), "empty") for block in message.get("content", [])]
    return f"{message.get('role', '?')}: {', '.join(kinds)}"
