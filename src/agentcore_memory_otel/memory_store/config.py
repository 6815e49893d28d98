"""The store's configuration types, defaults and argument checks.

Names, fields and defaults match the bedrock-agentcore SDK's Strands memory store, so a config
written for it constructs this store unchanged (``AgentCoreMemoryStore(**config)``). Every
check raises a ``ValueError`` that names the field and the limit.
"""

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

import boto3
from strands.memory import ExtractionConfig
from strands.types.content import Message
from typing_extensions import Never, NotRequired, TypedDict

from ..wire import limits

ExtractionMode = Literal["SKIP"]
"""CreateEvent's ``extractionMode``: ``SKIP`` keeps events out of long-term extraction."""

MetadataValue = str | int | float | bool
"""A scalar event metadata value; non-strings are written in JSON form (``true``, ``1.5``)."""

MetadataProvider = Callable[[Message], Mapping[str, MetadataValue]]
"""Event metadata for one message. Messages with different metadata go into different events."""

DEFAULT_MAX_SEARCH_RESULTS: Final = 5
DEFAULT_OVERFETCH_FACTOR: Final = 4
DEFAULT_MAX_TURNS_PER_EVENT: Final = 50
RESERVED_METADATA_PREFIX: Final = "_"
"""Prefix of the record fields a search puts in ``MemoryEntry.metadata`` (``_id``, ``_score``)."""


class _StoreIdentity(TypedDict):
    """Where the store reads and writes."""

    memory_id: str
    actor_id: str
    session_id: str


class _StoreOptions(_StoreIdentity, total=False):
    """Fields shared by both read shapes (see ``AgentCoreMemoryStore`` for their meaning)."""

    name: str
    description: str
    max_search_results: int
    writable: bool
    extraction: bool | ExtractionConfig
    min_score: float
    over_fetch_factor: float
    metadata_provider: MetadataProvider
    max_turns_per_event: int
    extraction_mode: ExtractionMode
    region_name: str
    boto3_session: boto3.Session
    client: Any


class AgentCoreExactNamespaceStoreConfig(_StoreOptions, total=True):
    """A store that reads one exact namespace (``{actorId}``/``{sessionId}`` substituted)."""

    namespace: str
    namespace_path: NotRequired[Never]


class AgentCoreSubtreeStoreConfig(_StoreOptions, total=True):
    """A store that reads a namespace and every namespace below it."""

    namespace_path: str
    namespace: NotRequired[Never]


AgentCoreMemoryStoreConfig = AgentCoreExactNamespaceStoreConfig | AgentCoreSubtreeStoreConfig
"""One store: its identity and exactly one read target."""

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_NOT_ALPHANUMERIC = re.compile(r"[^a-zA-Z0-9]+")


def resolve_namespace(template: str, actor_id: str, session_id: str) -> str:
    """Substitute ``{actorId}`` and ``{sessionId}`` in a namespace template.

    Retrieval takes literal namespaces, so the store resolves the two placeholders it knows;
    ``check_namespace`` rejects anything left over.
    """
    return template.replace("{actorId}", actor_id).replace("{sessionId}", session_id)


def slugify_namespace(namespace: str) -> str:
    """A store name from a namespace template: placeholders dropped, the rest hyphenated."""
    slug = _NOT_ALPHANUMERIC.sub("-", _PLACEHOLDER.sub("", namespace)).strip("-")
    return slug or "agentcore-memory"


def check_ids(memory_id: object, actor_id: object, session_id: object) -> tuple[str, str, str]:
    """The memory, actor and session ids when the API accepts them.

    Raises:
        ValueError: Naming the store, the first bad field and the limit it breaks.
    """
    try:
        return (
            limits.MEMORY_ID.check(memory_id, "memory_id"),
            limits.ACTOR_ID.check(actor_id, "actor_id"),
            limits.SESSION_ID.check(session_id, "session_id"),
        )
    except ValueError as exc:
        raise ValueError(f"AgentCoreMemoryStore: {exc}") from None


def check_namespace(resolved: str, template: str, field: str) -> str:
    """A resolved namespace with no placeholder left, within the API's length and pattern."""
    leftover = _PLACEHOLDER.search(resolved) or re.search(r"[{}]", resolved)
    if leftover is not None:
        raise ValueError(
            f"AgentCoreMemoryStore: {field} {template!r} still holds {leftover.group(0)!r} after "
            "substitution; only {actorId} and {sessionId} are resolved by the store (retrieval "
            "takes literal namespaces), so substitute others, such as a strategy id, first"
        )
    return limits.NAMESPACE.check(resolved, f"AgentCoreMemoryStore: {field}")


def check_positive_int(value: object, field: str) -> int:
    """A positive integer (``bool`` is not one)."""
    if type(value) is not int or value < 1:
        raise ValueError(f"AgentCoreMemoryStore: {field} must be a positive integer, got {value!r}")
    return value


def check_min_score(value: object) -> float | None:
    """``None``, or a finite number in [0, 1]."""
    if value is None:
        return None
    number = _finite(value)
    if number is None or not 0 <= number <= 1:
        raise ValueError(
            f"AgentCoreMemoryStore: min_score must be a finite number between 0 and 1, "
            f"got {value!r}"
        )
    return number


def check_over_fetch_factor(value: object) -> float:
    """A finite number of at least 1."""
    number = _finite(value)
    if number is None or number < 1:
        raise ValueError(
            f"AgentCoreMemoryStore: over_fetch_factor must be a number >= 1, got {value!r}"
        )
    return number


def _finite(value: object) -> float | None:
    """``value`` as a float if it is a finite int or float (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None
