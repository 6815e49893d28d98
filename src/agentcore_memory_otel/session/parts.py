"""The parts of one session manager, built in the order their AWS calls must happen.

``build_parts`` reads as that order: the entry factory (its metadata checks raise before any
call), the scan, the branch's root (ListEvents pages, only off ``main``), the write side (which
replays the journal: CreateEvent calls), then the session's newest ListEvents page. The write
side is the one part that depends on ``persistence_mode``: with NONE the manager gets a
``NullRecorder`` and a ``NullScheduler``, and legacy records are read but never migrated.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, assert_never

from ..telemetry import names
from ..wire.branches import BranchNotFoundError, BranchView
from ..wire.clock import MonotonicClock
from ..wire.content_policy import BinaryPolicy, ContentPolicy
from ..wire.metadata import normalise
from ..wire.pending import PendingRecord
from .config import AgentCoreMemoryConfig, PersistenceMode
from .converter import MemoryConverter, converter_decoder, converter_encoder
from .multi_agent import MultiAgentTracker
from .no_persistence import NullRecorder, NullScheduler
from .read.legacy import LegacyMigration
from .read.restore import SessionScan, session_pages
from .recorder import Recorder, Recording, Scheduling
from .repository import MemoryRepository
from .retrieval import Retriever
from .write.entries import EntryFactory
from .write.scheduler import WriteScheduler

if TYPE_CHECKING:
    from ..telemetry import InstrumentedMemoryApi, WriteTelemetry

Converter = type[MemoryConverter] | MemoryConverter | None


@dataclass
class SessionParts:
    """What a session manager delegates to."""

    origin_id: str  # the OriginTag id of the messages this manager stores
    lock: threading.RLock
    recorder: Recording
    scheduler: Scheduling
    retriever: Retriever | None
    repository: MemoryRepository
    scan: SessionScan
    session_exists: bool
    multi_agents: MultiAgentTracker
    legacy: LegacyMigration


@dataclass
class _WriteSide:
    """The parts that depend on ``persistence_mode``."""

    recorder: Recording
    scheduler: Scheduling
    checkpoint: Callable[[PendingRecord], None] | None  # buffers a Graph's or Swarm's record
    migrate_with: WriteScheduler | None  # stores migrated legacy records
    replayed: int = 0  # events the journal replay sent


def build_parts(
    config: AgentCoreMemoryConfig,
    api: InstrumentedMemoryApi,
    telemetry: WriteTelemetry,
    converter: Converter,
) -> SessionParts:
    """Build the parts, replay the journal, then read the session's newest ListEvents page.

    Args:
        config: The session manager's configuration.
        api: The instrumented API every part calls through.
        telemetry: Where the parts report what happened (they never touch an instrument).
        converter: The session manager's ``converter`` (``None``: this package's format).

    Raises:
        ValueError: ``default_metadata`` is invalid, or ``metadata_provider`` fails its check.
        BranchNotFoundError: ``config.branch`` is not ``main`` and has no events in the session.
    """
    clock = MonotonicClock()
    entries = _entries(config, telemetry, converter, clock)
    entries.check_provider()
    # Held while a message and the state it changed are buffered, and by timed flushes,
    # so that a timer never writes a message without the record it changed.
    lock = threading.RLock()
    branch = BranchView(config.branch)
    new_scan = functools.partial(_scan, config, api, branch, converter)
    scan = new_scan()
    _learn_branch_root(scan, branch)
    side = _write_side(config, api, telemetry, entries, clock, lock, branch, converter)
    if side.replayed and scan.pages:
        # What a killed predecessor left unacknowledged is stored before the scan reads (on a
        # branch, which read first to learn its root, the scan starts again).
        scan = new_scan()
    repository = MemoryRepository(
        api=api,
        memory_id=config.memory_id,
        actor_id=config.actor_id,
        session_id=config.session_id,
        recorder=side.recorder,
        filter_tool_context=config.filter_restored_tool_context,
        branch=branch,
    )
    session_exists = scan.session_exists()  # the newest ListEvents page
    clock.advance_past(scan.newest_timestamp_ms)
    entries.since_ms = scan.newest_timestamp_ms
    multi_agents = MultiAgentTracker(
        entries=entries,
        scan=scan,
        session_exists=session_exists,
        buffer=side.checkpoint,
        on_unchanged=functools.partial(telemetry.avoided, names.STATE_UNCHANGED),
    )
    legacy = LegacyMigration(
        api, entries, scan, side.migrate_with, config.memory_id, config.session_id
    )
    return SessionParts(
        entries.origin_id,
        lock,
        side.recorder,
        side.scheduler,
        _retriever(config, api, entries),
        repository,
        scan,
        session_exists,
        multi_agents,
        legacy,
    )


def _entries(
    config: AgentCoreMemoryConfig,
    telemetry: WriteTelemetry,
    converter: Converter,
    clock: MonotonicClock,
) -> EntryFactory:
    """The entry factory; raises ``ValueError`` for invalid ``default_metadata``."""
    return EntryFactory(
        clock=clock,
        default_metadata=normalise(config.default_metadata, source="default_metadata"),
        metadata_provider=config.metadata_provider,
        stamp_traces=config.trace_metadata,
        encode=converter_encoder(converter) if converter is not None else None,
        on_provider_error=functools.partial(
            telemetry.write_failed, names.FAILURE_METADATA_PROVIDER
        ),
        policy=ContentPolicy(config.content_filter, BinaryPolicy(config.binary_policy)),
    )


def _scan(
    config: AgentCoreMemoryConfig,
    api: InstrumentedMemoryApi,
    branch: BranchView,
    converter: Converter,
) -> SessionScan:
    """A new newest-first scan of the session (it calls nothing until read)."""
    pages = session_pages(
        api.list_events,
        memory_id=config.memory_id,
        actor_id=config.actor_id,
        session_id=config.session_id,
        branch=branch,
    )
    return SessionScan(pages, converter_decoder(converter)) if converter else SessionScan(pages)


def _learn_branch_root(scan: SessionScan, branch: BranchView) -> None:
    """Off ``main``: read the branch's own events, newest first, until its root is known.

    Nothing goes on a branch before its root is known (the branch's events are newer than its
    parents' events it sees).

    Raises:
        BranchNotFoundError: The branch has no events in the session.
    """
    if branch.is_main:
        return
    scan.session_exists()
    while branch.root_event_id is None and scan.fetch():
        pass
    if branch.root_event_id is None:
        raise BranchNotFoundError(branch.missing_message())


def _write_side(
    config: AgentCoreMemoryConfig,
    api: InstrumentedMemoryApi,
    telemetry: WriteTelemetry,
    entries: EntryFactory,
    clock: MonotonicClock,
    lock: threading.RLock,
    branch: BranchView,
    converter: Converter,
) -> _WriteSide:
    """The recorder and the write path; with FULL, the journal is replayed first."""
    trace_keys = (config.trace_id_key, config.span_id_key) if config.trace_metadata else None
    match config.persistence_mode:
        case PersistenceMode.FULL:
            scheduler = WriteScheduler(config, api, telemetry, clock, lock, trace_keys, branch)
            replayed = scheduler.replay_journal()
            recorder = Recorder(
                config=config,
                api=api,
                entries=entries,
                scheduler=scheduler,
                telemetry=telemetry,
                lock=lock,
                converted=converter is not None,
            )
            return _WriteSide(recorder, scheduler, scheduler.set_record, scheduler, replayed)
        case PersistenceMode.NONE:
            return _WriteSide(NullRecorder(), NullScheduler(), checkpoint=None, migrate_with=None)
        case _:
            assert_never(config.persistence_mode)


def _retriever(
    config: AgentCoreMemoryConfig, api: InstrumentedMemoryApi, entries: EntryFactory
) -> Retriever | None:
    """The long-term memory retriever, with ``retrieval_config`` set."""
    if not config.retrieval_config:
        return None
    return Retriever(
        retrieve=api.retrieve_memory_records,
        memory_id=config.memory_id,
        actor_id=config.actor_id,
        session_id=config.session_id,
        namespaces=config.retrieval_config,
        context_tag=config.context_tag,
        query_filter=entries.policy.text,
    )
