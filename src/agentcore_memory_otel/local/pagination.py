"""Opaque ``nextToken`` values for the local server's list operations.

A token carries the sort key of the last item scanned (keyset pagination), so pages stay stable
while new items arrive, and every page's token differs from the last one, as botocore's
paginator requires. Tokens are tied to the operation that issued them. ``keyset_page`` is the
one implementation of a keyset-paged list query; every list operation uses it.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import ValidationError

Row = TypeVar("Row")


def encode_token(operation: str, position: list[Any]) -> str:
    """Encode the scan position after the last item of a page."""
    raw = json.dumps({"op": operation, "pos": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(operation: str, token: str | None, kinds: Sequence[type]) -> list[Any] | None:
    """Return the position a token encodes, ``None`` for no token, or raise ValidationException.

    A token is opaque to clients but not trusted: one that does not hold exactly one value of
    each of ``kinds`` (``int`` within SQLite's 64-bit range, or ``str``) for this operation is
    refused like any malformed token, so that a forged token never reaches a query.
    """
    if token is None:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position = data["op"] == operation and data["pos"]
        if not isinstance(position, list) or len(position) != len(kinds):
            raise ValueError(operation)
        for value, kind in zip(position, kinds, strict=True):
            if type(value) is not kind or not _storable(value):
                raise ValueError(operation)
        return list(position)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ValidationError.single(
            "nextToken", "Member must be a token from this operation"
        ) from exc


def decode_offset(operation: str, token: str | None) -> int:
    """The offset a token of ``operation`` holds (0 for none), or raise ValidationException.

    For a list ranked in memory rather than paged by key. A negative offset would slice from the
    end and hand back a token that repeats itself, so it is refused like any other forged token.
    """
    position = decode_token(operation, token, (int,))
    if position is None:
        return 0
    if position[0] < 0:
        raise ValidationError.single("nextToken", "Member must be a token from this operation")
    return int(position[0])


def _storable(value: object) -> bool:
    """Whether SQLite can bind the value: a 64-bit integer, or text that encodes as UTF-8."""
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def cut_page(
    operation: str, rows: Sequence[Row], max_results: int, position: Callable[[Row], list[Any]]
) -> tuple[Sequence[Row], str | None]:
    """Split ``max_results + 1`` fetched rows into a page and the token for what follows."""
    page = rows[:max_results]
    if len(rows) <= max_results:
        return page, None
    return page, encode_token(operation, position(page[-1]))


@dataclass(frozen=True)
class Keyset:
    """How one list operation orders its rows: sort columns (unique together) and direction."""

    operation: str
    columns: tuple[str, ...]
    descending: bool = True

    @property
    def kinds(self) -> tuple[type, ...]:
        """The type of each sort column: ``seq`` and ``*_ms`` columns are integers, ids text."""
        return tuple(int if c == "seq" or c.endswith("_ms") else str for c in self.columns)


def keyset_page(
    conn: sqlite3.Connection,
    keyset: Keyset,
    select: str,
    where: Sequence[str],
    params: Sequence[Any],
    *,
    max_results: int,
    next_token: str | None,
    keep: Callable[[sqlite3.Row], bool] | None = None,
) -> tuple[list[sqlite3.Row], str | None]:
    """One page of a list query, in keyset order, and the token for the next page.

    Args:
        conn: Connection inside a read transaction.
        keyset: The operation's ordering.
        select: ``SELECT ... FROM ...`` without WHERE, ORDER BY or LIMIT.
        where: Conditions ANDed together, with ``?`` placeholders.
        params: Values for the placeholders, in order.
        max_results: Page size.
        next_token: Token from the previous page, if any.
        keep: Row predicate SQL cannot express. With it, rows are scanned in batches until the
            page is full, so a page holds ``max_results`` kept rows unless the query ran out.
    """
    position = decode_token(keyset.operation, next_token, keyset.kinds)
    direction, compare = ("DESC", "<") if keyset.descending else ("ASC", ">")
    order = ", ".join(f"{column} {direction}" for column in keyset.columns)
    tuple_sql = f"({', '.join(keyset.columns)}) {compare} ({', '.join('?' * len(keyset.columns))})"
    batch = max_results + 1
    kept: list[sqlite3.Row] = []
    while True:
        conditions, values = list(where), list(params)
        if position is not None:
            conditions.append(tuple_sql)
            values += position
        sql = select + (" WHERE " + " AND ".join(conditions) if conditions else "")
        rows = conn.execute(f"{sql} ORDER BY {order} LIMIT ?", [*values, batch]).fetchall()
        for row in rows:
            position = [row[column] for column in keyset.columns]
            if keep is None or keep(row):
                kept.append(row)
                if len(kept) > max_results:
                    break
        if len(kept) > max_results or len(rows) < batch:
            break
    page, token = cut_page(
        keyset.operation, kept, max_results, lambda r: [r[c] for c in keyset.columns]
    )
    return list(page), token
