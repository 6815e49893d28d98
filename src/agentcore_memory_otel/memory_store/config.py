"""The store's configuration types, defaults and argument checks (a pydantic model).

Names, fields and defaults match the bedrock-agentcore SDK's Strands memory store, so a config
written for it constructs this store unchanged (``AgentCoreMemoryStore(**config)``). The store's
arguments are checked by ``StoreArguments``, as ``session/config.py`` checks the session
manager's; every check raises a ``ValueError`` whose message names the field and the limit.
"""

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

import boto3
from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from strands.memory import ExtractionConfig
from strands.types.content import Message
from typing_extensions import Never, NotRequired, TypedDict

from ..wire import limits
from ..wire.metadata import check_key

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


def check_positive_int(value: object, field: str) -> int:
    """A positive integer (``bool`` is not one)."""
    if type(value) is not int or value < 1:
        raise ValueError(f"AgentCoreMemoryStore: {field} must be a positive integer, got {value!r}")
    return value


def _finite(value: object) -> float | None:
    """``value`` as a float if it is a finite int or float (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


_ID_RULES: Final = {
    "memory_id": limits.MEMORY_ID,
    "actor_id": limits.ACTOR_ID,
    "session_id": limits.SESSION_ID,
}


class StoreArguments(BaseModel):
    """``AgentCoreMemoryStore``'s checked arguments, and what it derives from them.

    Built from the constructor's arguments; ``of`` turns pydantic's error into one
    ``ValueError`` naming each bad field and its limit (still a ``ValueError``, as pydantic's
    ``ValidationError`` is, and with it attached as the cause). After checking,
    ``resolved_namespace`` holds the namespace for the actor and session, ``namespace_field``
    the RetrieveMemoryRecords member it goes in, ``name`` the store's name and
    ``max_turns_per_event`` its default when not given.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    memory_id: str
    actor_id: str
    session_id: str
    namespace: str | None = None
    namespace_path: str | None = None
    name: str = ""
    max_search_results: int | None = None
    min_score: float | None = None
    over_fetch_factor: float = DEFAULT_OVERFETCH_FACTOR
    max_turns_per_event: int = DEFAULT_MAX_TURNS_PER_EVENT
    extraction_mode: ExtractionMode | None = None
    trace_id_key: str
    span_id_key: str
    content_filter: Any = None
    resolved_namespace: str = ""
    namespace_field: Literal["namespace", "namespacePath"] = "namespace"

    @classmethod
    def of(cls, **arguments: Any) -> "StoreArguments":
        """The checked arguments.

        Raises:
            ValueError: Naming the store, each bad field and the limit it breaks.
        """
        try:
            return cls(**arguments)
        except ValidationError as exc:
            raise ValueError("; ".join(_message(error) for error in exc.errors())) from exc

    @model_validator(mode="before")
    @classmethod
    def _one_target(cls, data: Any) -> Any:
        if isinstance(data, dict) and (data.get("namespace") is None) == (
            data.get("namespace_path") is None
        ):
            raise ValueError(
                "AgentCoreMemoryStore: exactly one of namespace or namespace_path is required"
            )
        return data

    @field_validator(*_ID_RULES, mode="before")
    @classmethod
    def _id(cls, value: object, info: ValidationInfo) -> str:
        assert info.field_name is not None
        try:
            return _ID_RULES[info.field_name].check(value, info.field_name)
        except ValueError as exc:
            raise ValueError(f"AgentCoreMemoryStore: {exc}") from None

    @field_validator("namespace", "namespace_path", mode="before")
    @classmethod
    def _template(cls, value: object, info: ValidationInfo) -> object:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"AgentCoreMemoryStore: {info.field_name} must be a non-empty string")
        return value

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("max_search_results", mode="before")
    @classmethod
    def _max_search_results(cls, value: object) -> object:
        return None if value is None else check_positive_int(value, "max_search_results")

    @field_validator("max_turns_per_event", mode="before")
    @classmethod
    def _turns(cls, value: object) -> int:
        turns = check_positive_int(
            DEFAULT_MAX_TURNS_PER_EVENT if value is None else value, "max_turns_per_event"
        )
        if turns > limits.PAYLOAD_MAX_ITEMS:
            raise ValueError(
                f"AgentCoreMemoryStore: max_turns_per_event must be at most "
                f"{limits.PAYLOAD_MAX_ITEMS} (messages per CreateEvent), got {turns}"
            )
        return turns

    @field_validator("min_score", mode="before")
    @classmethod
    def _min_score(cls, value: object) -> float | None:
        number = _finite(value)
        if value is not None and (number is None or not 0 <= number <= 1):
            raise ValueError(
                f"AgentCoreMemoryStore: min_score must be a finite number between 0 and 1, "
                f"got {value!r}"
            )
        return number

    @field_validator("over_fetch_factor", mode="before")
    @classmethod
    def _over_fetch_factor(cls, value: object) -> float:
        number = _finite(value)
        if number is None or number < 1:
            raise ValueError(
                f"AgentCoreMemoryStore: over_fetch_factor must be a number >= 1, got {value!r}"
            )
        return number

    @field_validator("extraction_mode", mode="before")
    @classmethod
    def _extraction_mode(cls, value: object) -> object:
        if value not in (None, "SKIP"):
            raise ValueError(
                f"AgentCoreMemoryStore: extraction_mode must be 'SKIP' or None, got {value!r}"
            )
        return value

    @field_validator("trace_id_key", "span_id_key", mode="before")
    @classmethod
    def _trace_key(cls, value: object) -> object:
        check_key(value, source="AgentCoreMemoryStore trace")
        return value

    @field_validator("content_filter")
    @classmethod
    def _content_filter(cls, value: object) -> object:
        if value is not None and not callable(value):
            raise ValueError(
                "AgentCoreMemoryStore: content_filter must be a callable taking and returning "
                f"a str, got {type(value).__name__}"
            )
        return value

    @model_validator(mode="after")
    def _resolved(self) -> "StoreArguments":
        """The namespace resolved for the actor and session, checked; the name defaulted."""
        field = "namespace" if self.namespace is not None else "namespace_path"
        template = self.namespace if self.namespace is not None else self.namespace_path
        assert template is not None
        resolved = check_namespace(
            resolve_namespace(template, self.actor_id, self.session_id), template, field
        )
        self.resolved_namespace = resolved
        if self.namespace_path is not None:
            self.namespace_field = "namespacePath"
        self.name = (self.name or "").strip() or slugify_namespace(template)
        return self


def _message(error: Any) -> str:
    """One pydantic error as the store words it: a check's own message, else field and rule."""
    raised = (error.get("ctx") or {}).get("error")
    if isinstance(raised, ValueError):
        return str(raised)
    field = ".".join(str(part) for part in error["loc"])
    return f"AgentCoreMemoryStore: {field}: {error['msg']}, got {error['input']!r}"


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
