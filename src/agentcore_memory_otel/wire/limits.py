"""AgentCore Memory API limits that the package checks before it calls.

Every number and pattern here comes from botocore's ``bedrock-agentcore`` service model
(1.44.x) or the AgentCore quotas page; see ``docs/agentcore-memory-api.md`` ("Identifiers and
values", "Quotas"), and ``tests/aws/test_limits.py`` holds the model's figures to the installed
model. Patterns are matched in full (``re.fullmatch``), as the service does. The local server
validates requests from the model itself and uses only the figures the model does not state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

MEMORY_ID_PATTERN: Final = re.compile(
    r"(arn:(aws|aws-cn|aws-us-gov):bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:memory/)?"
    r"[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9]{10}"
)
MEMORY_ID_MIN_LENGTH: Final = 12


def bare_memory_id(value: str) -> str:
    """The memory id of a ``memoryId`` that may be an ARN (``...:memory/<id>``).

    The API accepts either spelling for the same memory; this is the one to key things by.
    """
    return value.rsplit("/", 1)[-1]


ACTOR_ID_PATTERN: Final = re.compile(
    r"[a-zA-Z0-9][a-zA-Z0-9-_/]*(?::[a-zA-Z0-9-_/]+)*[a-zA-Z0-9-_/]*"
)
ACTOR_ID_MAX_LENGTH: Final = 255
SESSION_ID_PATTERN: Final = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9-_]*")
SESSION_ID_MAX_LENGTH: Final = 100
BRANCH_NAME_PATTERN: Final = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9-_]*")
BRANCH_NAME_MAX_LENGTH: Final = 100

METADATA_CHARSET_PATTERN: Final = re.compile(r"[a-zA-Z0-9\s._:/=+@-]*", re.ASCII)
METADATA_MAX_KEYS: Final = 15
METADATA_KEY_MAX_LENGTH: Final = 128
METADATA_VALUE_MAX_LENGTH: Final = 256
METADATA_FILTERS_MAX: Final = 5

PAYLOAD_MAX_ITEMS: Final = 100
TEXT_MAX_CHARS: Final = 100_000
EVENT_MAX_BYTES: Final = 10 * 1024 * 1024

MAX_RESULTS_MAX: Final = 100
"""The largest page a list operation returns; whole reads page at this size."""
MAX_RESULTS_DEFAULT: Final = 20

NAMESPACE_PATTERN: Final = re.compile(
    r"[a-zA-Z0-9/*][a-zA-Z0-9-_/*]*(?::[a-zA-Z0-9-_/*]+)*[a-zA-Z0-9-_/*]*"
)
NAMESPACE_MAX_LENGTH: Final = 1024
RECORD_TEXT_MAX_CHARS: Final = 16_000
RECORD_METADATA_MAX_KEYS: Final = 20
RECORD_STRING_LIST_MAX_ITEMS: Final = 5
RECORD_STRING_LIST_ITEM_MAX_LENGTH: Final = 64
SEARCH_QUERY_MAX_CHARS: Final = 10_000
TOP_K_MAX: Final = 100
TOP_K_DEFAULT: Final = 10

TIMESTAMP_MAX_SECONDS: Final = 253_402_214_400
"""The latest timestamp boto3 reads back in every time zone (9999-12-31 UTC, a day short)."""

CREATE_EVENT_TPS: Final = 5.0  # per actor and session, with conversational payloads


@dataclass(frozen=True)
class TextRule:
    """What the API accepts for one kind of string member: a pattern and length bounds."""

    pattern: re.Pattern[str]
    max_length: int | None = None
    min_length: int = 1

    def check(self, value: object, field: str) -> str:
        """``value`` when the API accepts it for ``field``.

        Raises:
            ValueError: Naming ``field`` and the first limit ``value`` breaks.
        """
        if not isinstance(value, str):
            raise ValueError(f"{field} must be a string, got {value!r}")
        # Lengths before the pattern, as the service reports them.
        if len(value) < self.min_length:
            raise ValueError(
                f"{field} must have at least {self.min_length} characters, got {len(value)}"
            )
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(
                f"{field} must have at most {self.max_length} characters, got {len(value)}"
            )
        if not self.pattern.fullmatch(value):
            raise ValueError(f"{field} {value!r} must match the pattern {self.pattern.pattern}")
        return value


MEMORY_ID: Final = TextRule(MEMORY_ID_PATTERN, min_length=MEMORY_ID_MIN_LENGTH)
ACTOR_ID: Final = TextRule(ACTOR_ID_PATTERN, max_length=ACTOR_ID_MAX_LENGTH)
SESSION_ID: Final = TextRule(SESSION_ID_PATTERN, max_length=SESSION_ID_MAX_LENGTH)
BRANCH_NAME: Final = TextRule(BRANCH_NAME_PATTERN, max_length=BRANCH_NAME_MAX_LENGTH)
NAMESPACE: Final = TextRule(NAMESPACE_PATTERN, max_length=NAMESPACE_MAX_LENGTH)
MEMORY_RECORD_ID: Final = TextRule(re.compile(r"mem-[a-zA-Z0-9-_]*"), max_length=50, min_length=40)
METADATA_KEY: Final = TextRule(METADATA_CHARSET_PATTERN, max_length=METADATA_KEY_MAX_LENGTH)
EVENT_METADATA_VALUE: Final = TextRule(
    METADATA_CHARSET_PATTERN, max_length=METADATA_VALUE_MAX_LENGTH, min_length=0
)
RECORD_METADATA_STRING: Final = TextRule(
    METADATA_CHARSET_PATTERN, max_length=METADATA_VALUE_MAX_LENGTH
)
RECORD_METADATA_LIST_ITEM: Final = TextRule(
    METADATA_CHARSET_PATTERN, max_length=RECORD_STRING_LIST_ITEM_MAX_LENGTH
)

EVENT_ID_PATTERN: Final = re.compile(r"[0-9]+#[a-fA-F0-9]+")
EVENT_ID: Final = TextRule(EVENT_ID_PATTERN)
ROLES: Final = frozenset({"ASSISTANT", "USER", "TOOL", "OTHER"})
"""The conversational roles the API accepts (upper-case)."""
