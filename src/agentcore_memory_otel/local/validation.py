"""Request validation for the local server, with AWS-style messages that name each field.

botocore checks only required members, minimums and types on the client; the service enforces
maximums, patterns and enums. This module enforces all of them, so a request the real service
would reject is rejected here too, with every problem listed in one ``ValidationException``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..aws import limits
from .errors import ValidationError


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

    def string(
        self,
        field: str,
        value: Any,
        *,
        required: bool = True,
        pattern: re.Pattern[str] | None = None,
        min_length: int = 1,
        max_length: int | None = None,
    ) -> str | None:
        """Check a string member; return it when valid, else ``None``."""
        if value is None:
            if required:
                self.add(field, "Member must not be null")
            return None
        if not isinstance(value, str):
            self.add(field, "Member must be a string")
            return None
        if len(value) < min_length:
            self.add(field, f"Member must have length greater than or equal to {min_length}")
            return None
        if max_length is not None and len(value) > max_length:
            self.add(field, f"Member must have length less than or equal to {max_length}")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.add(field, f"Member must satisfy regular expression pattern: {pattern.pattern}")
            return None
        return value

    def integer(
        self, field: str, value: Any, *, minimum: int, maximum: int | None, default: int | None
    ) -> int | None:
        """Check an optional integer member within ``[minimum, maximum]``."""
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, "Member must be an integer")
            return default
        if value < minimum:
            self.add(field, f"Member must have value greater than or equal to {minimum}")
            return default
        if maximum is not None and value > maximum:
            self.add(field, f"Member must have value less than or equal to {maximum}")
            return default
        return value

    def boolean(self, field: str, value: Any, *, default: bool) -> bool:
        """Check an optional boolean member."""
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(field, "Member must be a boolean")
            return default
        return value

    def timestamp_ms(self, field: str, value: Any, *, required: bool = True) -> int | None:
        """Check an epoch-seconds timestamp (rest-json) and return it in whole milliseconds."""
        if value is None:
            if required:
                self.add(field, "Member must not be null")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(field, "Member must be a timestamp in epoch seconds")
            return None
        # Round to microseconds first: boto3 sends up to six decimals, and a float such as
        # 1735689600.123 is stored as ...122.99999; flooring that directly would lose a ms.
        return round(value * 1_000_000) // 1000

    def union(self, field: str, value: Any, members: tuple[str, ...]) -> tuple[str, Any] | None:
        """Check a union member: an object with exactly one of ``members`` set."""
        if not isinstance(value, dict):
            self.add(field, "Member must be a structure")
            return None
        present = [(k, v) for k, v in value.items() if v is not None]
        if len(present) != 1 or present[0][0] not in members:
            self.add(field, f"Member must have exactly one of: {', '.join(members)}")
            return None
        return present[0]

    def metadata_key(self, field: str, key: Any) -> bool:
        """Check one metadata key (1-128 chars of the metadata charset)."""
        return (
            self.string(
                field,
                key,
                pattern=limits.METADATA_CHARSET_PATTERN,
                max_length=limits.METADATA_KEY_MAX_LENGTH,
            )
            is not None
        )

    def metadata_value(self, field: str, value: Any) -> str | None:
        """Check a ``MetadataValue`` union, whose one member is ``stringValue``."""
        member = self.union(field, value, ("stringValue",))
        if member is None:
            return None
        return self.string(
            f"{field}.stringValue",
            member[1],
            pattern=limits.METADATA_CHARSET_PATTERN,
            min_length=0,
            max_length=limits.METADATA_VALUE_MAX_LENGTH,
        )


def check_event_metadata(problems: Problems, value: Any) -> dict[str, dict[str, str]] | None:
    """Check event metadata: at most 15 keys, each key and ``stringValue`` within limits."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add("metadata", "Member must be a map")
        return None
    if len(value) > limits.METADATA_MAX_KEYS:
        problems.add(
            "metadata", f"Member must have length less than or equal to {limits.METADATA_MAX_KEYS}"
        )
        return None
    clean: dict[str, dict[str, str]] = {}
    for key, item in value.items():
        field = f"metadata.{key}"
        if not problems.metadata_key(f"metadata.key({key!r})", key):
            continue
        string_value = problems.metadata_value(field, item)
        if string_value is not None:
            clean[key] = {"stringValue": string_value}
    return clean


def check_payload(problems: Problems, value: Any) -> list[dict[str, Any]] | None:
    """Check a CreateEvent payload list: 0-100 items, each a conversational, blob or json union."""
    if value is None:
        problems.add("payload", "Member must not be null")
        return None
    if not isinstance(value, list):
        problems.add("payload", "Member must be a list")
        return None
    if len(value) > limits.PAYLOAD_MAX_ITEMS:
        problems.add(
            "payload", f"Member must have length less than or equal to {limits.PAYLOAD_MAX_ITEMS}"
        )
        return None
    for index, item in enumerate(value):
        field = f"payload.{index}"
        member = problems.union(field, item, ("conversational", "blob", "json"))
        if member is None:
            continue
        name, body = member
        if name == "conversational":
            _check_conversational(problems, f"{field}.conversational", body)
        elif name == "json" and (not isinstance(body, dict) or "content" not in body):
            problems.add(f"{field}.json.content", "Member must not be null")
    return list(value)


def _check_conversational(problems: Problems, field: str, body: Any) -> None:
    if not isinstance(body, dict):
        problems.add(field, "Member must be a structure")
        return
    role = body.get("role")
    if role not in limits.ROLES:
        problems.add(
            f"{field}.role",
            f"Member must satisfy enum value set: [{', '.join(sorted(limits.ROLES))}]",
        )
    content = problems.union(f"{field}.content", body.get("content"), ("text",))
    if content is not None:
        problems.string(f"{field}.content.text", content[1], max_length=limits.TEXT_MAX_CHARS)


def check_branch(problems: Problems, value: Any) -> tuple[str, str | None] | None:
    """Check a ``Branch`` (name plus the ``rootEventId`` the live API requires)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add("branch", "Member must be a structure")
        return None
    name = problems.string(
        "branch.name",
        value.get("name"),
        pattern=limits.BRANCH_NAME_PATTERN,
        max_length=limits.BRANCH_NAME_MAX_LENGTH,
    )
    root = problems.string(
        "branch.rootEventId", value.get("rootEventId"), pattern=limits.EVENT_ID_PATTERN
    )
    if name is None or root is None:
        return None
    return name, root


def check_metadata_filters(
    problems: Problems, field: str, value: Any
) -> list[tuple[str, str, str | None]]:
    """Check event metadata filter expressions: 1-5 of ``(key, operator, value)``."""
    if value is None:
        return []
    if not isinstance(value, list) or not value or len(value) > limits.METADATA_FILTERS_MAX:
        problems.add(
            field,
            f"Member must be a list of length between 1 and {limits.METADATA_FILTERS_MAX}",
        )
        return []
    out: list[tuple[str, str, str | None]] = []
    for index, expr in enumerate(value):
        item = f"{field}.{index}"
        if not isinstance(expr, dict):
            problems.add(item, "Member must be a structure")
            continue
        left = problems.union(f"{item}.left", expr.get("left"), ("metadataKey",))
        operator = expr.get("operator")
        if operator not in limits.METADATA_OPERATORS:
            problems.add(
                f"{item}.operator",
                "Member must satisfy enum value set: "
                f"[{', '.join(sorted(limits.METADATA_OPERATORS))}]",
            )
            continue
        right_value: str | None = None
        right = expr.get("right")
        if operator == "EQUALS_TO":
            member = problems.union(f"{item}.right", right, ("metadataValue",))
            if member is None:
                continue
            right_value = problems.metadata_value(f"{item}.right.metadataValue", member[1])
            if right_value is None:
                continue
        if left is None or not problems.metadata_key(f"{item}.left.metadataKey", left[1]):
            continue
        out.append((left[1], operator, right_value))
    return out


def check_memory_id(value: str) -> str:
    """Check a memoryId path label (bare id or ARN) and return the bare id."""
    problems = Problems()
    problems.string(
        "memoryId",
        value,
        pattern=limits.MEMORY_ID_PATTERN,
        min_length=limits.MEMORY_ID_MIN_LENGTH,
    )
    problems.raise_if_any()
    return bare_memory_id(value)


def bare_memory_id(value: str) -> str:
    """The memory id of a memoryId label that may be an ARN (``...:memory/<id>``)."""
    return value.rsplit("/", 1)[-1]


def json_size(value: Any) -> int:
    """Size in bytes of a value serialised as compact JSON (how payload sizes are counted)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
