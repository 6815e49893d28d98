"""The parts of one session manager, built in the order their AWS calls must happen."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..telemetry import names
from ..wire.branches import BranchNotFoundError, BranchView
from ..wire.clock import MonotonicClock
from ..wire.content_policy import BinaryPolicy, ContentPolicy
from ..wire.metadata import normalise
from .config import AgentCoreMemoryConfig, PersistenceMode
from .converter import MemoryConverter, converter_decoder, converter_encoder
from .multi_agent import MultiAgentTracker
from .read.legacy import LegacyMigration
from .read.restore import SessionScan, session_pages
from .repository import MemoryRepository
from .retrieval import Retriever
from .write.entries import EntryFactory
from .write.scheduler import WriteScheduler

if TYPE_CHECKING:
    from ..telemetry import InstrumentedMemoryApi, WriteTelemetry


@dataclass
class SessionParts:
    """What a session manager delegates to; ``write_path`` is ``None`` unless persisting."""

    entries: EntryFactory
    lock: threading.RLock
    write_path: WriteScheduler | None
    retriever: Retriever | None
    repository: MemoryRepository
    scan: SessionScan
    session_exists: bool
    multi_agents: MultiAgentTracker
    legacy: LegacyMigration


def build_parts(
    config: AgentCoreMemoryConfig,
    api: InstrumentedMemoryApi,
    telemetry: WriteTelemetry,
    converter: type[MemoryConverter] | MemoryConverter | None,
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
    memory_id, actor_id, session_id = config.memory_id, config.actor_id, config.session_id
    clock = MonotonicClock()
    entries = EntryFactory(
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
    entries.check_provider()
    # Held while a message and the state it changed are buffered, and by timed flushes,
    # so that a timer never writes a message without the record it changed.
    lock = threading.RLock()
    trace_keys = (config.trace_id_key, config.span_id_key) if config.trace_metadata else None
    branch = BranchView(config.branch)

    def new_scan() -> SessionScan:
        pages = session_pages(
            api.list_events,
            memory_id=memory_id,
            actor_id=actor_id,
            session_id=session_id,
            branch=branch,
        )
        return SessionScan(pages, converter_decoder(converter)) if converter else SessionScan(pages)

    scan = new_scan()
    if not branch.is_main:
        # Nothing goes on a branch before its root is known: learnt from its own events,
        # newest first (the branch's events are newer than its parents' events it sees).
        scan.session_exists()
        while branch.root_event_id is None and scan.fetch():
            pass
        if branch.root_event_id is None:
            raise BranchNotFoundError(branch.missing_message())
    write_path: WriteScheduler | None = None
    if config.persistence_mode is PersistenceMode.FULL:
        write_path = WriteScheduler(config, api, telemetry, clock, lock, trace_keys, branch)
        # What a killed predecessor left unacknowledged is stored before the scan reads (on a
        # branch, which read first to learn its root, the scan starts again if it sent any).
        if write_path.replay_journal() and scan.pages:
            scan = new_scan()
    retriever: Retriever | None = None
    if config.retrieval_config:
        retriever = Retriever(
            retrieve=api.retrieve_memory_records,
            memory_id=memory_id,
            actor_id=actor_id,
            session_id=session_id,
            namespaces=config.retrieval_config,
            context_tag=config.context_tag,
            query_filter=entries.policy.text,
        )
    repository = MemoryRepository(
        api=api,
        memory_id=memory_id,
        actor_id=actor_id,
        session_id=session_id,
        entries=entries,
        writer=write_path.batcher if write_path is not None else None,
        lock=lock,
        batch_size=config.batch_size,
        filter_tool_context=config.filter_restored_tool_context,
        branch=branch,
    )
    session_exists = scan.session_exists()
    clock.advance_past(scan.newest_timestamp_ms)
    entries.since_ms = scan.newest_timestamp_ms
    multi_agents = MultiAgentTracker(
        entries=entries,
        scan=scan,
        session_exists=session_exists,
        buffer=write_path.set_record if write_path is not None else None,
        on_unchanged=functools.partial(telemetry.avoided, names.STATE_UNCHANGED),
    )
    legacy = LegacyMigration(api, entries, scan, write_path, memory_id, session_id)
    return SessionParts(
        entries=entries,
        lock=lock,
        write_path=write_path,
        retriever=retriever,
        repository=repository,
        scan=scan,
        session_exists=session_exists,
        multi_agents=multi_agents,
        legacy=legacy,
    )
