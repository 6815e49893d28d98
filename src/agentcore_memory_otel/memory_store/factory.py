"""``create_agentcore_memory_stores``: one store per namespace of one actor and session.

Matches the bedrock-agentcore SDK's factory: the stores share one client (here one traced
``InstrumentedMemoryApi``), and at most one of them is writable, since CreateEvent writes to
the session's event stream, not to a namespace; two writers would store the conversation twice.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider
from strands.memory import ExtractionConfig, ExtractionTrigger, MemoryMessageFilter, MemoryStore
from typing_extensions import NotRequired, TypedDict

from ..wire.content_policy import ContentFilter
from .config import DEFAULT_OVERFETCH_FACTOR, MetadataProvider
from .store import AgentCoreMemoryStore, memory_api


class AgentCoreNamespaceConfig(TypedDict):
    """One namespace to read, and the store settings for it."""

    namespace: str
    name: NotRequired[str]
    description: NotRequired[str]
    max_search_results: NotRequired[int]
    min_score: NotRequired[float]
    over_fetch_factor: NotRequired[float]
    writable: NotRequired[bool]


class AgentCoreExtractionConfig(TypedDict, total=False):
    """When the writable store sends the conversation, and which content blocks it drops."""

    cadence: ExtractionTrigger | list[ExtractionTrigger]
    filter: MemoryMessageFilter


class CreateAgentCoreMemoryStoresInput(TypedDict):
    """The arguments of ``create_agentcore_memory_stores``."""

    memory_id: str
    actor_id: str
    session_id: str
    namespaces: list[AgentCoreNamespaceConfig]
    extraction: NotRequired[bool | AgentCoreExtractionConfig]
    metadata_provider: NotRequired[MetadataProvider]
    max_turns_per_event: NotRequired[int]
    region_name: NotRequired[str]
    boto3_session: NotRequired[boto3.Session]
    client: NotRequired[Any]


def create_agentcore_memory_stores(
    *,
    memory_id: str,
    actor_id: str,
    session_id: str,
    namespaces: list[AgentCoreNamespaceConfig],
    extraction: bool | AgentCoreExtractionConfig | None = None,
    metadata_provider: MetadataProvider | None = None,
    max_turns_per_event: int | None = None,
    region_name: str | None = None,
    boto3_session: boto3.Session | None = None,
    client: Any = None,
    endpoint_url: str | None = None,
    boto_client_config: Config | None = None,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
    content_filter: ContentFilter | None = None,
) -> list[MemoryStore]:
    """One store per namespace, sharing one client; with extraction, one of them writes.

    Args:
        memory_id: The memory (bare id or ARN).
        actor_id: The actor every store resolves namespaces for and writes under.
        session_id: The session the writable store writes to.
        namespaces: The namespaces to read (templates with ``{actorId}``/``{sessionId}``).
        extraction: ``True`` (or a cadence/filter config) makes one store writable: the one
            marked ``writable``, else the first not marked ``writable: False``.
        metadata_provider: Event metadata for each message, for the writable store.
        max_turns_per_event: Messages per CreateEvent at most, for the writable store.
        region_name: AWS region for the client built here.
        boto3_session: boto3 session for the client built here.
        client: A boto3 client, the SDK's ``MemoryClient`` or a store's ``api`` to share.
        endpoint_url: AgentCore endpoint, e.g. the local server's ``endpoint_url``.
        boto_client_config: botocore ``Config`` for the client built here.
        tracer_provider: Where the shared client's spans go.
        meter_provider: Where the shared client's metrics go.
        content_filter: Every store's content filter (docs/data-control.md).

    Raises:
        ValueError: No namespace, a namespace without text, or not exactly one writer when
            extraction is on (at most one otherwise).
    """
    _check_namespaces(namespaces)
    store_extraction = _store_extraction(extraction)
    writers = _writers(namespaces, writes=extraction not in (None, False))

    api = memory_api(
        client,
        region_name,
        boto3_session,
        endpoint_url,
        boto_client_config,
        tracer_provider,
        meter_provider,
    )
    stores: list[MemoryStore] = []
    for index, entry in enumerate(namespaces):
        writable = index in writers
        stores.append(
            AgentCoreMemoryStore(
                memory_id=memory_id,
                actor_id=actor_id,
                session_id=session_id,
                namespace=entry["namespace"],
                name=entry.get("name"),
                description=entry.get("description"),
                max_search_results=entry.get("max_search_results"),
                min_score=entry.get("min_score"),
                over_fetch_factor=entry.get("over_fetch_factor", DEFAULT_OVERFETCH_FACTOR),
                writable=writable,
                extraction=store_extraction if writable else None,
                metadata_provider=metadata_provider,
                max_turns_per_event=max_turns_per_event,
                client=api,
                content_filter=content_filter,
            )
        )
    return stores


def _check_namespaces(namespaces: object) -> None:
    """At least one namespace, each with text."""
    if not isinstance(namespaces, list) or not namespaces:
        raise ValueError("create_agentcore_memory_stores: at least one namespace is required")
    for index, entry in enumerate(namespaces):
        namespace = entry.get("namespace") if isinstance(entry, dict) else None
        if not isinstance(namespace, str) or not namespace.strip():
            raise ValueError(
                f"create_agentcore_memory_stores: namespaces[{index}].namespace must be a "
                "non-empty string"
            )


def _store_extraction(
    extraction: bool | AgentCoreExtractionConfig | None,
) -> bool | ExtractionConfig | None:
    """The writable store's ``extraction``: the cadence and filter in Strands' terms."""
    if isinstance(extraction, dict) and ("cadence" in extraction or "filter" in extraction):
        store_extraction = ExtractionConfig()
        if "cadence" in extraction:
            store_extraction["trigger"] = extraction["cadence"]
        if "filter" in extraction:
            store_extraction["filter"] = extraction["filter"]
        return store_extraction
    return True if extraction not in (None, False) else None


def _writers(namespaces: list[AgentCoreNamespaceConfig], *, writes: bool) -> set[int]:
    """The index of the one writable store (none when nothing writes and none is marked)."""
    flagged = [i for i, entry in enumerate(namespaces) if entry.get("writable") is True]
    writer = -1
    if writes and not flagged:
        writer = next(
            (i for i, entry in enumerate(namespaces) if entry.get("writable") is not False), -1
        )
        if writer == -1:
            raise ValueError(
                "create_agentcore_memory_stores: extraction is on but every namespace is "
                "marked writable: False; leave one unmarked or mark the writer writable: True"
            )
    writers = set(flagged) | ({writer} if writer >= 0 else set())
    if len(writers) > 1:
        names = ", ".join(repr(namespaces[i]["namespace"]) for i in sorted(writers))
        raise ValueError(
            f"create_agentcore_memory_stores: at most one namespace may be writable, got "
            f"{len(writers)} ({names}); CreateEvent writes to the session, not to a namespace, "
            "so two writers would store the conversation twice"
        )
    return writers
