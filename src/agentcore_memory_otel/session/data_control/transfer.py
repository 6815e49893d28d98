"""Exporting sessions to JSON Lines, and importing them into another memory.

An export lists every event of a session (or of each session of an actor), every branch, and
writes one line per event, oldest first (``lines.py``). An import checks the whole file before
its first call, then creates the events in file order with their timestamps, metadata and
branches; a branch's ``rootEventId`` is mapped to the id its root got in the target. Each
CreateEvent carries a clientToken derived from the target session and the source event, so an
import run again (after a kill, or out of retries) stores nothing twice: the service answers a
repeated token with the event it stored the first time.

The target is any memory a client reaches: another memory of the local server, or AWS (only
the endpoint changes).
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider

from ...client.boto import client_or_new
from ...telemetry import InstrumentedMemoryApi
from ...wire import limits
from ...wire.limits import bare_memory_id
from ...wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY
from .calls import DEFAULT_ATTEMPTS, PacedCalls
from .lines import MAIN_BRANCH, ExportedEvent, LineError, event_line, parse_line
from .progress import Progress, ProgressCallback, Step

_TOKENS: Final = uuid.UUID("6f1d3c2e-8a4b-4f0e-9c7d-5b2a1e0f3d4c")
"""The namespace of import clientTokens (uuid5): any fixed value; changing it breaks reruns."""


class ImportRefused(RuntimeError):
    """The target will not store an event again: its clientToken names a deleted event."""


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: ``events`` lines for ``sessions``, and the calls it made."""

    events: int
    sessions: int
    calls: dict[str, int]


@dataclass(frozen=True)
class ImportReport:
    """What an import stored.

    Attributes:
        events: Events created (or found stored by an earlier run of the same import).
        sessions: Target sessions, as ``(actorId, sessionId)``.
        event_ids: The target's event id of each source ``(sessionId, eventId)``.
        calls: API calls made, by operation.
    """

    events: int
    sessions: list[tuple[str, str]]
    event_ids: dict[tuple[str, str], str]
    calls: dict[str, int]


def export_events(
    memory_id: str,
    actor_id: str,
    session_id: str | None = None,
    *,
    output: str | Path | TextIO,
    client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    trace_id_key: str = DEFAULT_TRACE_ID_KEY,
    span_id_key: str = DEFAULT_SPAN_ID_KEY,
    progress: ProgressCallback | None = None,
    rate_limits: Mapping[str, float] | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> ExportReport:
    """Write every event of a session (or of every session of an actor) as JSON Lines.

    Args:
        memory_id: The memory (id or ARN).
        actor_id: The actor whose events to export.
        session_id: One session; every session of the actor when absent.
        output: A file path (written whole or not at all: a temporary file is renamed into
            place) or an open text stream.
        client: The data-plane client; built from the next two when absent.
        endpoint_url: Endpoint of the client built here (e.g. the local server).
        region_name: Region of the client built here.
        trace_id_key: The metadata key the trace ids were stamped under.
        span_id_key: The metadata key the span ids were stamped under.
        progress: Called after each session written.
        rate_limits: Calls per second by operation, over ``client.rates.QUOTA_TPS`` (0: none).
        attempts: Tries per call under throttling and server errors.
        tracer_provider: Where the calls' spans go; the global provider when ``None``.
        meter_provider: Where their metrics go; the global provider when ``None``.

    Raises:
        ValueError: An id the API would refuse, naming the field and the limit.
        botocore.exceptions.ClientError: A call failed for good.
    """
    limits.MEMORY_ID.check(memory_id, "memory_id")
    limits.ACTOR_ID.check(actor_id, "actor_id")
    if session_id is not None:
        limits.SESSION_ID.check(session_id, "session_id")
    client = client_or_new(client, endpoint_url, region_name)
    api = InstrumentedMemoryApi(
        client, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    calls = PacedCalls(api, rate_limits, attempts)
    report = progress or (lambda _: None)
    try:
        with _Output(output) as stream:  # opened first: an unwritable path fails at once
            if session_id is not None:
                sessions = [session_id]
            else:
                sessions = sorted(calls.sessions(memory_id, actor_id, with_events=True))
            written = exported = 0
            for number, session in enumerate(sessions, 1):
                events = calls.events(memory_id, actor_id, session, payloads=True)
                for event in reversed(events):
                    stream.write(event_line(event, trace_id_key, span_id_key) + "\n")
                written += len(events)
                exported += bool(events)
                report(Progress(Step.EXPORT, number, len(sessions)))
        return ExportReport(written, exported, dict(calls.calls))
    finally:
        api.close()


class _Output:
    """The export's stream: a temporary file renamed into place once whole, or the caller's."""

    def __init__(self, output: str | Path | TextIO) -> None:
        self._output = output
        self._temporary: Path | None = None
        self._stream: TextIO | None = None

    def __enter__(self) -> TextIO:
        if not isinstance(self._output, str | Path):
            return self._output
        path = Path(self._output)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        self._temporary = Path(name)
        self._stream = os.fdopen(handle, "w", encoding="ascii")
        return self._stream

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._stream is None or self._temporary is None:
            if not isinstance(self._output, str | Path):
                self._output.flush()
            return
        try:
            if exc_type is None:
                self._stream.flush()
                os.fsync(self._stream.fileno())
            self._stream.close()
            if exc_type is None:
                os.replace(self._temporary, Path(str(self._output)))
        finally:
            self._temporary.unlink(missing_ok=True)


def read_export(source: str | Path | TextIO | Iterable[str]) -> list[ExportedEvent]:
    """Every event of an export, checked: ids, limits, and that each branch's root comes first.

    Blank lines are skipped, and so is a byte order mark before the first line (an editor's).

    Raises:
        LineError: Naming the first bad line, the field and the limit.
        OSError: The file cannot be read.
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            return _checked(_decoded(enumerate(stream, 1)))
    return _checked(enumerate(source, 1))


def _decoded(numbered: Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, str]]:
    """The file's lines as text; a line that is not UTF-8 is refused by its number."""
    for number, raw in numbered:
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LineError(
                number,
                f"not UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1}); an export is "
                "ASCII: save an edited file as UTF-8 (not UTF-16 or Latin-1)",
            ) from None


def _checked(numbered: Iterable[tuple[int, str]]) -> list[ExportedEvent]:
    events: list[ExportedEvent] = []
    seen: set[tuple[str, str, str]] = set()
    for number, text in numbered:
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        event = parse_line(number, text)
        key = (event.actor_id, event.session_id, event.event_id)
        if key in seen:
            raise LineError(number, f"eventId {event.event_id} appears twice in its session")
        if (
            event.root_event_id is not None
            and (
                event.actor_id,
                event.session_id,
                event.root_event_id,
            )
            not in seen
        ):
            raise LineError(
                number,
                f"branch.rootEventId {event.root_event_id} is not an earlier event of session "
                f"{event.session_id} in the file: a branch's root must be exported with it. "
                "An export lists every stored event, so the root was deleted at the source, and "
                "the API stores no branch without its root; remove this branch's lines "
                f"(branch {event.branch!r}) to import the rest",
            )
        seen.add(key)
        events.append(event)
    return events


def import_events(
    source: str | Path | TextIO | Iterable[str],
    *,
    memory_id: str,
    actor_id: str | None = None,
    session_id: str | None = None,
    client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    progress: ProgressCallback | None = None,
    rate_limits: Mapping[str, float] | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> ImportReport:
    """Create the events of an export in ``memory_id``, in order, with their branches.

    Args:
        source: The export file (path, stream, or lines).
        memory_id: The target memory.
        actor_id: Store under this actor instead (the file must hold one actor).
        session_id: Store under this session instead (the file must hold one session).
        client: The target's data-plane client; built from the next two when absent.
        endpoint_url: Endpoint of the client built here (e.g. the local server).
        region_name: Region of the client built here.
        progress: Called after each event created.
        rate_limits: Calls per second by operation, over ``client.rates.QUOTA_TPS`` (0: none);
            CreateEvent goes at 5 per second per session by default.
        attempts: Tries per call under throttling and server errors.
        tracer_provider: Where the calls' spans go; the global provider when ``None``.
        meter_provider: Where their metrics go; the global provider when ``None``.

    Raises:
        ValueError: A bad argument, ``LineError`` for a bad line, or a session imported into
            itself while it still holds the file's events; nothing was created.
        ImportRefused: The same import was stored before and erased since.
        botocore.exceptions.ClientError: A call failed for good; run again to finish.
    """
    limits.MEMORY_ID.check(memory_id, "memory_id")
    events = read_export(source)
    _check_renames(events, actor_id, session_id)
    client = client_or_new(client, endpoint_url, region_name)
    api = InstrumentedMemoryApi(
        client, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    calls = PacedCalls(api, rate_limits, attempts)
    report = progress or (lambda _: None)
    new_ids: dict[tuple[str, str, str], str] = {}
    sessions: dict[tuple[str, str], None] = {}
    try:
        _check_not_into_itself(calls, events, memory_id, actor_id, session_id)
        for number, event in enumerate(events, 1):
            actor = actor_id or event.actor_id
            session = session_id or event.session_id
            request = _create_request(event, memory_id, actor, session, new_ids)
            stored = calls.call("CreateEvent", request, session=(actor, session))["event"]
            if event.payload and not stored.get("payload"):
                raise ImportRefused(
                    f"line {event.number}: the target answered this event's clientToken with "
                    f"event {stored.get('eventId')}, which has since been deleted (an earlier "
                    "import, then an erase); import into another session (session_id=) or "
                    "memory"
                )
            new_ids[(event.actor_id, event.session_id, event.event_id)] = stored["eventId"]
            sessions[(actor, session)] = None
            report(Progress(Step.IMPORT, number, len(events)))
    finally:
        api.close()
    return ImportReport(
        len(events),
        list(sessions),
        {(s, e): new for (_, s, e), new in new_ids.items()},
        dict(calls.calls),
    )


def _check_not_into_itself(
    calls: PacedCalls,
    events: list[ExportedEvent],
    memory_id: str,
    actor_id: str | None,
    session_id: str | None,
) -> None:
    """Refuse to import a session into itself while its events are still there.

    Each imported event gets a new id, so the session would hold every event twice. A session
    the file came from is listed (ids only) once; one whose events were deleted since (a
    restore after an accident) imports as usual.

    Raises:
        ValueError: Naming the session and how many of the file's events it still holds.
    """
    same: dict[tuple[str, str], set[str]] = {}
    for event in events:
        target = (actor_id or event.actor_id, session_id or event.session_id)
        if bare_memory_id(event.memory_id) == bare_memory_id(memory_id) and target == (
            event.actor_id,
            event.session_id,
        ):
            same.setdefault(target, set()).add(event.event_id)
    for (actor, session), file_ids in same.items():
        stored = calls.events(memory_id, actor, session, payloads=False, missing_ok=True)
        held = file_ids & {e["eventId"] for e in stored}
        if held:
            raise ValueError(
                f"session {actor}/{session} of {memory_id} still holds {len(held)} of the "
                f"file's {len(file_ids)} event(s) of it: importing it into itself would store "
                "them twice; pass session_id= (--session-id) or another memory"
            )


def _check_renames(
    events: list[ExportedEvent], actor_id: str | None, session_id: str | None
) -> None:
    if actor_id is not None:
        limits.ACTOR_ID.check(actor_id, "actor_id")
        actors = {e.actor_id for e in events}
        if len(actors) > 1:
            raise ValueError(
                f"actor_id renames one actor; the file holds {len(actors)}: {sorted(actors)}"
            )
    if session_id is not None:
        limits.SESSION_ID.check(session_id, "session_id")
        held = {(e.actor_id, e.session_id) for e in events}
        if len(held) > 1:
            raise ValueError(
                f"session_id renames one session; the file holds {len(held)}: "
                f"{sorted(s for _, s in held)}"
            )


def _create_request(
    event: ExportedEvent,
    memory_id: str,
    actor_id: str,
    session_id: str,
    new_ids: dict[tuple[str, str, str], str],
) -> dict[str, Any]:
    source = [bare_memory_id(event.memory_id), event.actor_id, event.session_id, event.event_id]
    target = [bare_memory_id(memory_id), actor_id, session_id]
    request: dict[str, Any] = {
        "memoryId": memory_id,
        "actorId": actor_id,
        "sessionId": session_id,
        "eventTimestamp": event.timestamp_ms / 1000,
        "payload": event.payload,
        "clientToken": str(uuid.uuid5(_TOKENS, json.dumps([*target, *source]))),
    }
    if event.metadata:
        request["metadata"] = event.metadata
    if event.root_event_id is not None:
        root = new_ids[(event.actor_id, event.session_id, event.root_event_id)]
        request["branch"] = {"name": event.branch, "rootEventId": root}
    elif event.branch != MAIN_BRANCH:  # pragma: no cover - parse_line requires the root
        raise AssertionError(event.branch)
    return request
