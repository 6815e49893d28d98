"""What request checking shares beyond botocore's model: the problem collector and a few reads.

``shapes.check_request`` enforces every constraint the model states before a handler runs.
Handlers add the rules the service enforces that the model does not state (a branch's
``rootEventId``, a comparing filter's right-hand value, an event's byte size, a non-empty
token, ...), collecting them in ``Problems`` so that one ``ValidationException`` lists them all,
in AWS's wording.
"""

from __future__ import annotations

from typing import Any

from ..wire.limits import TIMESTAMP_MAX_SECONDS as TIMESTAMP_MAX_SECONDS  # re-exported
from .errors import ValidationError

# Timestamps the server stores and echoes, in epoch seconds: from the epoch up to the start of
# 9999-12-31 (UTC). boto3 reads a timestamp back as a ``datetime`` in the local time zone, which
# ends in year 9999; a day's margin keeps every zone in range. An event id holds its timestamp
# as 19 digits of milliseconds, so nothing before the epoch is accepted either.
TIMESTAMP_MIN_SECONDS = 0


def timestamp_problem(value: Any) -> str | None:
    """Why ``value`` is not a timestamp the server accepts, or ``None`` when it is one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "Member must be a timestamp in epoch seconds"
    if not TIMESTAMP_MIN_SECONDS <= value <= TIMESTAMP_MAX_SECONDS:
        return (
            f"Member must be a timestamp from {TIMESTAMP_MIN_SECONDS} to"
            f" {TIMESTAMP_MAX_SECONDS} epoch seconds (1970-01-01 to 9999-12-31 UTC)"
        )
    return None


# How deep a request body may nest, counting the body itself. A reader parses what the server
# echoes back recursively: boto3 failed with RecursionError on a 900-deep document when called
# 100 frames down (an agent's restore runs deeper than that), though it parsed at the top level.
# 100 levels leave every real request (a few levels plus a small JSON document) room to spare.
MAX_BODY_DEPTH = 100


def nesting_depth(value: Any) -> int:
    """How deep ``value`` nests (a scalar 0, ``[]`` and ``{}`` 1), walked without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


# Filter operators that test a key's presence and so take no right-hand value; the model marks
# ``right`` optional for their sake, though every other operator needs one.
_PRESENCE_OPERATORS = frozenset({"EXISTS", "NOT_EXISTS"})


class Problems:
    """Collects field problems for one request and raises them together."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, problem: str) -> None:
        """Record one problem with one field."""
        self.items.append((field, problem))

    def raise_if_any(self) -> None:
        """Raise a ValidationException listing every recorded problem."""
        if self.items:
            raise ValidationError(self.items)

    def token(self, field: str, value: str | None) -> str | None:
        """An optional token member (``nextToken``, ``clientToken``), which may not be empty.

        The model gives these strings no minimum length; an empty token names nothing.
        """
        if value == "":
            self.add(field, "Member must have length greater than or equal to 1")
        return value

    def timestamp_ms(self, field: str, value: Any) -> int | None:
        """An epoch-seconds timestamp (rest-json) in whole milliseconds, else ``None``.

        The model accepts a timestamp written as text too; this wire format wants a number,
        within ``TIMESTAMP_RANGE`` (see ``timestamp_problem``).
        """
        problem = timestamp_problem(value)
        if problem is not None:
            self.add(field, problem)
            return None
        # Round to microseconds first: boto3 sends up to six decimals, and a float such as
        # 1735689600.123 is stored as ...122.99999; flooring that directly would lose a ms.
        return int(round(value * 1_000_000) // 1000)

    def missing_right_operands(
        self, field: str, expressions: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Report each metadata filter whose operator compares but has no ``right`` value.

        Args:
            field: Dotted path of the filter list in the request.
            expressions: The filter expressions, already checked against the model.

        Returns:
            The expressions that are complete.
        """
        complete = []
        for index, expression in enumerate(expressions):
            if expression["operator"] in _PRESENCE_OPERATORS or expression.get("right") is not None:
                complete.append(expression)
            else:
                self.add(f"{field}.{index}.right", "Member is required for this operator")
        return complete
