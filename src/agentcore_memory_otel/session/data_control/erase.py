"""Erasing everything stored about an actor, or about one of its sessions.

An erase surveys what there is (the actor's sessions, every event of each, on every branch;
the long-term records in the actor's namespaces; the journal's rows), deletes it, and surveys
again: what the final survey finds is reported as remaining, and is empty when the erase is
complete. Deleting goes journal first (so no session manager replays a row afterwards), then
events newest first (a branch's events before the event it forked from), then records.

Every step is safe to repeat: an event or record already gone counts as deleted. An erase that
was interrupted (killed, out of retries) and is run again surveys what is left and finishes.
A dry run only surveys.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from botocore.exceptions import ClientError
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider

from ...client.boto import client_or_new
from ...telemetry import InstrumentedMemoryApi
from ...wire import limits
from ..write.journal import erase_rows
from .calls import DEFAULT_ATTEMPTS, PacedCalls, error_code
from .clients import control_client_for
from .namespaces import Skipped, Template, memory_templates, record_scopes, scope_records
from .progress import Progress, ProgressCallback, Step

BATCH_DELETE_MAX: Final = 100
"""Records per BatchDeleteMemoryRecords call (the API's list limit)."""
DEFAULT_WORKERS: Final = 4
"""Sessions deleted side by side: 4 x 5 DeleteEvent per second per session fills the account's
default quota of 20 per second."""
DEFAULT_PASSES: Final = 3
"""Delete-and-survey rounds at most: a record extracted late, or an event a session manager
was still sending, is caught by the next round."""


class EraseError(RuntimeError):
    """The service refused to delete something; the message names it and the reason."""


@dataclass(frozen=True)
class EventRef:
    """One stored event."""

    session_id: str
    event_id: str
    branch: str


@dataclass(frozen=True)
class RecordRef:
    """One long-term record."""

    record_id: str
    namespace: str


@dataclass(frozen=True)
class ErasePlan:
    """What a survey found for the actor (or session).

    Attributes:
        sessions: Session ids the service still lists, empty ones included (the service
            removes a session without events within a day; the local server at once).
        events: Every event, every branch, newest first within each session.
        records: Long-term records in the actor's (or session's) namespaces.
        journal_rows: Rows in the journal file (``None``: no journal was given).
        skipped_templates: Namespace templates whose records are not the actor's alone.
    """

    sessions: list[str]
    events: list[EventRef]
    records: list[RecordRef]
    journal_rows: int | None
    skipped_templates: list[Skipped] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing left: no event, no record, no journal row."""
        return not self.events and not self.records and not self.journal_rows

    def summary(self) -> str:
        """One line: how many of each."""
        journal = (
            "no journal" if self.journal_rows is None else f"{self.journal_rows} journal row(s)"
        )
        sessions = {e.session_id for e in self.events}
        branches = {(e.session_id, e.branch) for e in self.events}
        return (
            f"{len(self.events)} event(s) in {len(sessions)} session(s) on {len(branches)} "
            f"branch(es), {len(self.records)} record(s), {journal}"
        )


@dataclass(frozen=True)
class EraseReport:
    """What an erase did.

    Attributes:
        plan: The first survey: what was erased (with ``dry_run``, what would be).
        remaining: The final survey (``None`` for a dry run); ``complete`` when empty.
        passes: Delete-and-survey rounds run.
        calls: API calls made, by operation (retries of a throttled call included).
    """

    memory_id: str
    actor_id: str
    session_id: str | None
    dry_run: bool
    plan: ErasePlan
    remaining: ErasePlan | None
    passes: int
    calls: dict[str, int]

    @property
    def complete(self) -> bool:
        """The final survey found nothing left."""
        return self.remaining is not None and self.remaining.empty


def erase(
    memory_id: str,
    actor_id: str,
    session_id: str | None = None,
    *,
    client: Any = None,
    control_client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    journal_path: str | Path | None = None,
    records: bool = True,
    namespace_templates: Iterable[str] = (),
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    rate_limits: Mapping[str, float] | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    max_passes: int = DEFAULT_PASSES,
    workers: int = DEFAULT_WORKERS,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> EraseReport:
    """Delete every event, record and journal row of an actor, or of one of its sessions.

    Args:
        memory_id: The memory (id or ARN).
        actor_id: The actor to erase.
        session_id: Only this session of the actor (its records only where a namespace
            template holds ``{sessionId}``).
        client: A boto3 ``bedrock-agentcore`` client; built from ``endpoint_url`` and
            ``region_name`` when absent.
        endpoint_url: Endpoint of the clients built here (e.g. the local server).
        region_name: Region of the clients built here.
        control_client: A ``bedrock-agentcore-control`` client, for GetMemory (the strategies'
            namespace templates); built like ``client`` when absent.
        journal_path: The journal file of the session managers that wrote for this actor.
        records: Erase long-term records too (needs GetMemory on the control plane).
        namespace_templates: More templates holding the actor's records, e.g. namespaces a
            memory store writes to (``{actorId}``, ``{sessionId}`` and custom variables).
        dry_run: Only survey: the report's ``plan`` lists what would go.
        progress: Called after each item surveyed or deleted.
        rate_limits: Calls per second by operation, over ``client.rates.QUOTA_TPS`` (0: none).
        attempts: Tries per call under throttling and server errors.
        max_passes: Delete-and-survey rounds at most.
        workers: Sessions whose events are deleted at the same time.
        tracer_provider: Where the calls' spans go; the global provider when ``None``.
        meter_provider: Where their metrics go; the global provider when ``None``.

    Raises:
        ValueError: An id or argument the API would refuse, naming the field and the limit.
        FileNotFoundError: ``journal_path`` is not an existing file.
        EraseError: The service refused to delete a record.
        botocore.exceptions.ClientError: A call failed for good (run again to finish).
    """
    extra = _checked_arguments(
        memory_id, actor_id, session_id, namespace_templates, max_passes, workers
    )
    journal = Path(journal_path) if journal_path is not None else None
    if journal is not None and not journal.is_file():
        raise FileNotFoundError(f"journal_path {str(journal)!r} is not an existing file")
    client = client_or_new(client, endpoint_url, region_name)
    api = InstrumentedMemoryApi(
        client, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    calls = PacedCalls(api, rate_limits, attempts)
    try:
        templates = extra
        if records:
            control = control_client or control_client_for(client, endpoint_url, region_name)
            calls.calls["GetMemory"] += 1
            templates = memory_templates(control, memory_id) + extra
        run = _Erase(calls, memory_id, actor_id, session_id, journal, templates, progress, workers)
        plan = run.survey()
        if dry_run:
            return EraseReport(
                memory_id, actor_id, session_id, True, plan, None, 0, dict(calls.calls)
            )
        current, passes = plan, 0
        while not current.empty and passes < max_passes:
            run.delete(current)
            passes += 1
            current = run.survey(Step.VERIFY)
        return EraseReport(
            memory_id, actor_id, session_id, False, plan, current, passes, dict(calls.calls)
        )
    finally:
        api.close()


def _checked_arguments(
    memory_id: str,
    actor_id: str,
    session_id: str | None,
    namespace_templates: Iterable[str],
    max_passes: int,
    workers: int,
) -> list[Template]:
    """The extra namespace templates, once every argument is one the API would accept."""
    limits.MEMORY_ID.check(memory_id, "memory_id")
    limits.ACTOR_ID.check(actor_id, "actor_id")
    if session_id is not None:
        limits.SESSION_ID.check(session_id, "session_id")
    if max_passes < 1:
        raise ValueError(f"max_passes must be at least 1, got {max_passes}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if isinstance(namespace_templates, str):
        raise ValueError("namespace_templates is a list of templates, got one string")
    return [Template(_checked_template(t)) for t in namespace_templates]


def _checked_template(template: object) -> str:
    if not isinstance(template, str) or not template:
        raise ValueError(f"namespace_templates: a template is a non-empty string, got {template!r}")
    return template


class _Erase:
    """The survey and delete steps of one erase."""

    def __init__(
        self,
        calls: PacedCalls,
        memory_id: str,
        actor_id: str,
        session_id: str | None,
        journal: Path | None,
        templates: list[Template],
        progress: ProgressCallback | None,
        workers: int,
    ) -> None:
        self.calls = calls
        self.memory_id = memory_id
        self.actor_id = actor_id
        self.session_id = session_id
        self.journal = journal
        self.scopes, self.skipped = record_scopes(templates, actor_id, session_id)
        self.progress = progress or (lambda _: None)
        self.workers = workers

    def survey(self, step: Step = Step.SURVEY) -> ErasePlan:
        """What there is now."""
        if self.session_id is not None:
            # ListSessions fails for a memory that does not exist, so a misspelt memory id
            # is an error, not "nothing to erase", although ListEvents of a session that
            # is not there may answer "not found".
            self.calls.call(
                "ListSessions",
                {"memoryId": self.memory_id, "actorId": self.actor_id, "maxResults": 1},
            )
            sessions = [self.session_id]
        else:
            sessions = self.calls.sessions(self.memory_id, self.actor_id, with_events=False)
        events: list[EventRef] = []
        for number, session in enumerate(sessions, 1):
            for event in self.calls.events(
                self.memory_id, self.actor_id, session, payloads=False, missing_ok=True
            ):
                branch = (event.get("branch") or {}).get("name", "main")
                events.append(EventRef(session, event["eventId"], branch))
            self.progress(Progress(step, number, len(sessions)))
        found: dict[str, RecordRef] = {}
        for scope in self.scopes:
            for record in scope_records(self.calls, self.memory_id, scope):
                namespace = (record.get("namespaces") or [""])[0]
                record_id = record["memoryRecordId"]
                found.setdefault(record_id, RecordRef(record_id, namespace))
        journal_rows = None
        if self.journal is not None:
            journal_rows = erase_rows(
                self.journal, self.memory_id, self.actor_id, self.session_id, dry_run=True
            )
        if self.session_id is not None:  # listed only while it holds events
            sessions = sorted({e.session_id for e in events})
        return ErasePlan(sessions, events, list(found.values()), journal_rows, self.skipped)

    def delete(self, plan: ErasePlan) -> None:
        """Delete what ``plan`` lists: journal rows, then events, then records."""
        if self.journal is not None and plan.journal_rows:
            erase_rows(self.journal, self.memory_id, self.actor_id, self.session_id, dry_run=False)
            self.progress(Progress(Step.JOURNAL, plan.journal_rows, plan.journal_rows))
        self._delete_events(plan.events)
        done = 0
        for start in range(0, len(plan.records), BATCH_DELETE_MAX):
            batch = plan.records[start : start + BATCH_DELETE_MAX]
            self._delete_records(batch)
            done += len(batch)
            self.progress(Progress(Step.RECORDS, done, len(plan.records)))

    def _delete_events(self, events: list[EventRef]) -> None:
        """Each session's events newest first; sessions side by side, up to ``workers``.

        The per-session quota (5 DeleteEvent per second) is what bounds a long erase; the
        account's (20) lets 4 sessions go at once.
        """
        by_session: dict[str, list[EventRef]] = {}
        for event in events:
            by_session.setdefault(event.session_id, []).append(event)
        done = [0]
        lock = threading.Lock()

        def session(refs: list[EventRef]) -> None:
            for ref in refs:
                self._delete_event(ref)
                with lock:
                    done[0] += 1
                    self.progress(Progress(Step.EVENTS, done[0], len(events)))

        workers = max(1, min(self.workers, len(by_session)))
        with ThreadPoolExecutor(workers, thread_name_prefix="agentcore-erase") as pool:
            # Each task runs in a copy of this context, so its spans have the caller's parent.
            futures = [
                pool.submit(contextvars.copy_context().run, session, refs)
                for refs in by_session.values()
            ]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _delete_event(self, event: EventRef) -> None:
        request = {
            "memoryId": self.memory_id,
            "actorId": self.actor_id,
            "sessionId": event.session_id,
            "eventId": event.event_id,
        }
        try:
            self.calls.call("DeleteEvent", request, session=(self.actor_id, event.session_id))
        except ClientError as exc:
            # Gone already: deleted by a run that was interrupted, or answered late.
            if error_code(exc) != "ResourceNotFoundException":
                raise

    def _delete_records(self, batch: list[RecordRef]) -> None:
        request = {
            "memoryId": self.memory_id,
            "records": [
                {"memoryRecordId": r.record_id, "namespace": r.namespace}
                if r.namespace
                else {"memoryRecordId": r.record_id}
                for r in batch
            ],
        }
        answer = self.calls.call("BatchDeleteMemoryRecords", request)
        refused = [
            failed
            for failed in answer.get("failedRecords", [])
            if failed.get("errorCode") != 404  # gone already
        ]
        if refused:
            first = refused[0]
            why = first.get("errorMessage") or first.get("errorCode")
            raise EraseError(
                f"BatchDeleteMemoryRecords refused {len(refused)} record(s), e.g. "
                f"{first.get('memoryRecordId')}: {why}"
            )
