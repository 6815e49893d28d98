"""Opaque ``nextToken`` values for the local server's list operations.

A token carries the sort key of the last item scanned (keyset pagination), so pages stay stable
while new events arrive, and every page's token differs from the last one, as botocore's
paginator requires. Tokens are tied to the operation that issued them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .errors import ValidationError

Row = TypeVar("Row")


def encode_token(operation: str, position: list[Any]) -> str:
    """Encode the scan position after the last item of a page."""
    raw = json.dumps({"op": operation, "pos": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(operation: str, token: str | None) -> list[Any] | None:
    """Return the position a token encodes, ``None`` for no token, or raise ValidationException."""
    if token is None:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["op"] != operation or not isinstance(data["pos"], list):
            raise ValueError(operation)
        return list(data["pos"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError.single(
            "nextToken", "Member must be a token from this operation"
        ) from exc


def cut_page(
    operation: str, rows: Sequence[Row], max_results: int, position: Callable[[Row], list[Any]]
) -> tuple[Sequence[Row], str | None]:
    """Split ``max_results + 1`` fetched rows into a page and the token for what follows."""
    page = rows[:max_results]
    if len(rows) <= max_results:
        return page, None
    return page, encode_token(operation, position(page[-1]))
