"""Request validation driven by botocore's model: required, type, min, max, pattern, enum, union.

botocore checks only required members, minimums and types on the client; the service enforces
maximums, patterns and enums too. Walking the operation's input shape enforces every constraint
the model states, for every operation, with messages naming the member by its dotted path
(``payload.0.conversational.role``). Handlers then check only what the model cannot express.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import Any

from .model import ModelledOperation
from .validation import Problems, timestamp_problem

_NUMBER_TYPES = ("integer", "long", "double", "float")
# What each number type holds (Smithy: 32- and 64-bit integers, IEEE floats).
_NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "float": (-3.4028234663852886e38, 3.4028234663852886e38),
    "double": (-sys.float_info.max, sys.float_info.max),
}


@cache
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text, re.ASCII)
    except re.error:  # a Java-only construct; no memory operation has one (a test keeps it so)
        return None


def check_request(
    operation: ModelledOperation,
    labels: dict[str, str],
    query: dict[str, list[str]],
    body: dict[str, Any],
    *,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Raise one ValidationException listing every way the request breaks the model.

    Args:
        operation: The modelled operation.
        labels: Decoded URI labels.
        query: Every value of each query-string parameter.
        body: Decoded JSON body.
        skip: Top-level members whose items the handler validates one by one (batch records
            fail alone, in ``failedRecords``); only their own list constraints are checked here.
    """
    shape = operation.model.input_shape
    if shape is None:
        return
    problems = Problems()
    required = set(shape.required_members)
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            value: Any = labels.get(wire_name)
        elif location == "querystring":
            values = query.get(wire_name)
            if member.type_name == "list":
                value = values
            else:
                value = _from_text(member, values[0] if values else None)
        elif location == "header":
            continue
        else:
            value = body.get(name)
        if value is None:
            if name in required:
                problems.add(name, "Member must not be null")
            continue
        check_value(problems, name, member, value, items=name not in skip)
    problems.raise_if_any()


def _from_text(shape: Any, value: str | None) -> Any:
    if value is None or shape.type_name not in _NUMBER_TYPES:
        return value
    try:
        return int(value) if shape.type_name in ("integer", "long") else float(value)
    except ValueError:
        return value


def check_value(
    problems: Problems, path: str, shape: Any, value: Any, *, items: bool = True
) -> None:
    """Check one value against its shape, recording problems under ``path``.

    Args:
        problems: Where problems are collected.
        path: The member's dotted name, used in messages.
        shape: Its botocore shape.
        value: The decoded JSON value (not ``None``).
        items: Whether to descend into a list's items.
    """
    kind = shape.type_name
    if shape.metadata.get("document"):
        return
    if kind == "string":
        _check_string(problems, path, shape, value)
    elif kind in _NUMBER_TYPES:
        _check_number(problems, path, shape, value)
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.add(path, "Member must be a boolean")
    elif kind == "timestamp":
        problem = timestamp_problem(value)
        if problem is not None:
            problems.add(path, problem)
    elif kind == "blob":
        if not isinstance(value, str):
            problems.add(path, "Member must be base64-encoded bytes")
    elif kind == "list":
        _check_list(problems, path, shape, value, items=items)
    elif kind == "map":
        _check_map(problems, path, shape, value)
    elif kind == "structure":
        _check_structure(problems, path, shape, value)


def _check_length(problems: Problems, path: str, shape: Any, length: int) -> bool:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        problems.add(path, f"Member must have length greater than or equal to {low}")
        return False
    if high is not None and length > high:
        problems.add(path, f"Member must have length less than or equal to {high}")
        return False
    return True


def _check_string(problems: Problems, path: str, shape: Any, value: Any) -> None:
    if not isinstance(value, str):
        problems.add(path, "Member must be a string")
        return
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        problems.add(path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        return
    if not _check_length(problems, path, shape, len(value)):
        return
    text = shape.metadata.get("pattern")
    pattern = _pattern(text) if text else None
    if pattern is not None and not pattern.fullmatch(value):
        problems.add(path, f"Member must satisfy regular expression pattern: {text}")


def _check_number(problems: Problems, path: str, shape: Any, value: Any) -> None:
    integral = shape.type_name in ("integer", "long")
    wanted = int if integral else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted):
        problems.add(path, "Member must be an integer" if integral else "Member must be a number")
        return
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is None and high is None:
        # Unbounded in the model, bounded on the wire: the width of the modelled type.
        low, high = _NUMBER_RANGES[shape.type_name]
    if low is not None and value < low:
        problems.add(path, f"Member must have value greater than or equal to {low}")
    elif high is not None and value > high:
        problems.add(path, f"Member must have value less than or equal to {high}")


def _check_list(problems: Problems, path: str, shape: Any, value: Any, *, items: bool) -> None:
    if not isinstance(value, list):
        problems.add(path, "Member must be a list")
        return
    if not _check_length(problems, path, shape, len(value)) or not items:
        return
    for index, item in enumerate(value):
        if item is None:
            problems.add(f"{path}.{index}", "Member must not be null")
        else:
            check_value(problems, f"{path}.{index}", shape.member, item)


def _check_map(problems: Problems, path: str, shape: Any, value: Any) -> None:
    if not isinstance(value, dict):
        problems.add(path, "Member must be a map")
        return
    if not _check_length(problems, path, shape, len(value)):
        return
    for key, item in value.items():
        check_value(problems, f"{path}.key({key!r})", shape.key, key)
        if item is None:
            problems.add(f"{path}.{key}", "Member must not be null")
        else:
            check_value(problems, f"{path}.{key}", shape.value, item)


def _check_structure(problems: Problems, path: str, shape: Any, value: Any) -> None:
    if not isinstance(value, dict):
        problems.add(path, "Member must be a structure")
        return
    present = {k: v for k, v in value.items() if v is not None}
    if shape.metadata.get("union") and (
        len(present) != 1 or next(iter(present)) not in shape.members
    ):
        problems.add(path, f"Member must have exactly one of: {', '.join(shape.members)}")
        return
    for name in shape.required_members:
        if name not in present:
            problems.add(f"{path}.{name}", "Member must not be null")
    for name, item in present.items():
        member = shape.members.get(name)
        if member is not None:
            check_value(problems, f"{path}.{name}", member, item)
