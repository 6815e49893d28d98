"""Long-term extraction: conversational events become memory records, asynchronously.

When a memory has ``ACTIVE`` strategies, every stored event (CreateEvent without
``extractionMode=SKIP``) and every IngestData request becomes one *extraction job* per
strategy, in the ``extraction_jobs`` table. A worker thread runs the jobs in order, usually
milliseconds after the event is stored:

* the job's messages are read as stored: each conversational item's role and text, and a
  ``json`` item's text, as the service reads them. A caller that stores a format inside the
  text injects a ``ConversationReader`` (``conversation``) that reads it; this module knows no
  format;
* the extractor (``extractors``) turns them into texts: one record per preference or fact, and
  for summary and episodic strategies one record per session, rewritten as the session grows;
* records go to the strategy's namespace template resolved with ``{actorId}``, ``{sessionId}``,
  ``{memoryStrategyId}`` and the memory's namespace keys, tagged with the strategy id. A text
  already stored there for that strategy is not stored twice;
* each record's metadata names its source events and their trace ids (``lineage``): the
  job's event, or for a per-session record the session's events.

A job whose extractor raises, or whose namespace cannot be resolved, is ``FAILED`` with its
reason; ListMemoryExtractionJobs lists jobs and StartMemoryExtractionJob runs one again. Jobs
live in the database, so a restarted server finishes what was pending.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from ..wire import limits
from ..wire.lineage import Source, lineage_metadata
from ..wire.trace_stamp import DEFAULT_TRACE_ID_KEY, normalize_trace_id
from .conversation import ConversationReader, ReadingStopped, read_payload, stored_text
from .db import Database
from .errors import ResourceNotFoundError
from .extractors import Extractor, Message, RuleBasedExtractor
from .memories import MemoryResources, now_ms
from .pagination import Keyset, keyset_page
from .records import RecordStore
from .strategies import kind_of, prompt_of

logger = logging.getLogger(__name__)

_JOBS_ORDER = Keyset("ListMemoryExtractionJobs", ("seq",))
_VARIABLE = re.compile(r"\{([a-zA-Z][a-zA-Z0-9]*)\}")


class ExtractionEngine:
    """Extraction jobs and the worker thread that runs them.

    Args:
        db: The shared database.
        memories: Memory resources, for strategies and namespace keys.
        records: Where extracted records go.
        extractor: How texts are extracted; ``RuleBasedExtractor`` by default.
        conversation_reader: How a stored conversational item is read; as stored by default.
    """

    def __init__(
        self,
        db: Database,
        memories: MemoryResources,
        records: RecordStore,
        extractor: Extractor | None = None,
        conversation_reader: ConversationReader | None = None,
    ) -> None:
        self._db = db
        self._read: ConversationReader = conversation_reader or stored_text
        self._memories = memories
        self._records = records
        self.extractor: Extractor = extractor or RuleBasedExtractor()
        self._wake = threading.Condition()
        self._stopping = False
        self._busy = False
        self._thread: threading.Thread | None = None

    # --- submitting ---------------------------------------------------------------------------

    def submit(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        event_id: str,
        payload: Sequence[dict[str, Any]],
        variables: dict[str, str] | None = None,
        content: Sequence[dict[str, Any]] | None = None,
    ) -> list[str]:
        """Queue one job per ACTIVE strategy for an event (or ingested ``content``).

        Returns:
            The new jobs' ids (none when the memory has no active strategy or nothing in the
            payload can be extracted).
        """
        indexes = [
            i for i, item in enumerate(payload) if "conversational" in item or "json" in item
        ]
        if not indexes:
            return []
        strategies = [
            s
            for s in self._memories.document(memory_id).get("strategies") or []
            if s.get("status") == "ACTIVE"
        ]
        if not strategies:
            return []
        messages = json.dumps([{"eventId": event_id, "messageIndex": i} for i in indexes])
        created = now_ms()
        jobs = []
        with self._db.write() as conn:
            for strategy in strategies:
                job_id = f"job-{uuid.uuid4()}"
                conn.execute(
                    "INSERT INTO extraction_jobs (job_id, memory_id, actor_id, session_id,"
                    " strategy_id, status, messages, variables, content, created_ms, updated_ms)"
                    " VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?)",
                    (
                        job_id,
                        memory_id,
                        actor_id,
                        session_id,
                        strategy["strategyId"],
                        messages,
                        json.dumps(variables or {}),
                        json.dumps(list(content)) if content is not None else None,
                        created,
                        created,
                    ),
                )
                jobs.append(job_id)
        self._notify()
        return jobs

    def restart(self, memory_id: str, job_id: str) -> None:
        """Run a job again (StartMemoryExtractionJob), or raise ResourceNotFoundException."""
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE extraction_jobs SET status = 'PENDING', failure_reason = NULL,"
                " updated_ms = ? WHERE memory_id = ? AND job_id = ?",
                (now_ms(), memory_id, job_id),
            )
        if cursor.rowcount == 0:
            raise ResourceNotFoundError(f"Extraction job {job_id} not found")
        self._notify()

    def list_jobs(
        self,
        memory_id: str,
        filters: dict[str, Any],
        *,
        max_results: int,
        next_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Jobs of a memory, newest first, as ``ExtractionJobMetadata`` shapes."""
        where, params = ["memory_id = ?"], [memory_id]
        for member, column in (
            ("strategyId", "strategy_id"),
            ("sessionId", "session_id"),
            ("actorId", "actor_id"),
            ("status", "status"),
        ):
            if filters.get(member) is not None:
                where.append(f"{column} = ?")
                params.append(filters[member])
        with self._db.read() as conn:
            rows, token = keyset_page(
                conn,
                _JOBS_ORDER,
                "SELECT * FROM extraction_jobs",
                where,
                params,
                max_results=max_results,
                next_token=next_token,
            )
        return [_job_shape(row) for row in rows], token

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no job is pending or running (for tests and benchmarks)."""
        deadline = now_ms() + int(timeout * 1000)
        with self._wake:
            while self._busy or self._pending_count() > 0:
                if now_ms() >= deadline:
                    return False
                self._wake.wait(0.01)
        return True

    def close(self) -> None:
        """Stop the worker (pending jobs stay in the database)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(10)

    # --- the worker ---------------------------------------------------------------------------

    def _is_stopping(self) -> bool:
        """Whether ``close`` was called (read without the lock: a bool, set once)."""
        return self._stopping

    def _notify(self) -> None:
        with self._wake:
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(
                    target=self._run, daemon=True, name="agentcore-memory-extraction"
                )
                self._thread.start()
            self._wake.notify_all()

    def start(self) -> None:
        """Start the worker if jobs are pending (a server restarted on an existing file)."""
        if self._pending_count():
            self._notify()

    def _pending_count(self) -> int:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT count(*) FROM extraction_jobs WHERE status = 'PENDING'"
            ).fetchone()
        return int(row[0])

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
            job = self._next_job()
            if job is None:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()
                    if self._stopping:
                        return
                    self._wake.wait(0.5)
                continue
            try:
                self._execute(job)
            except ReadingStopped:  # the server is stopping: the job stays PENDING in the file
                return
            # Any failure is the job's, reported through the API; BaseException too (an
            # extractor's SystemExit), or the worker would end and no later job would run.
            except BaseException as exc:
                logger.warning("extraction job %s failed: %s", job["job_id"], exc)
                self._finish(job["job_id"], "FAILED", f"{type(exc).__name__}: {exc}")
            else:
                self._finish(job["job_id"], "SUCCEEDED", None)

    def _next_job(self) -> Any:
        with self._wake:
            self._busy = True
        with self._db.read() as conn:
            return conn.execute(
                "SELECT * FROM extraction_jobs WHERE status = 'PENDING' ORDER BY seq LIMIT 1"
            ).fetchone()

    def _finish(self, job_id: str, status: str, reason: str | None) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE extraction_jobs SET status = ?, failure_reason = ?, updated_ms = ?"
                " WHERE job_id = ? AND status = 'PENDING'",
                (status, reason, now_ms(), job_id),
            )

    def _execute(self, job: Any) -> None:
        memory_id = job["memory_id"]
        try:
            document = self._memories.document(memory_id)
        except ResourceNotFoundError:
            return  # the memory was deleted meanwhile
        strategy = next(
            (s for s in document.get("strategies") or [] if s["strategyId"] == job["strategy_id"]),
            None,
        )
        if strategy is None:
            raise ResourceNotFoundError(f"Strategy {job['strategy_id']} no longer exists")
        kind = kind_of(strategy)
        messages, sources = self._messages(job, whole_session=kind.per_session)
        texts = self.extractor.extract(kind, messages, prompt_of(strategy))
        namespace = resolve_namespace(
            strategy["namespaceTemplates"][0],
            actor_id=job["actor_id"],
            session_id=job["session_id"],
            strategy_id=strategy["strategyId"],
            variables=json.loads(job["variables"] or "{}"),
        )
        record_id = None
        if kind.per_session:  # one record per session, replaced by each new summary
            texts = texts[:1]
            record_id = "mem-" + str(
                uuid.uuid5(
                    uuid.NAMESPACE_URL, f"{memory_id}/{strategy['strategyId']}/{job['session_id']}"
                )
            )
        lineage = lineage_metadata(sources, actor_id=job["actor_id"], session_id=job["session_id"])
        self._records.put_extracted(
            memory_id, namespace, strategy["strategyId"], texts, now_ms(), record_id, lineage
        )

    def _messages(self, job: Any, *, whole_session: bool) -> tuple[list[Message], list[Source]]:
        """The job's messages and source events (oldest first).

        For a per-session strategy, every message of the session.
        """
        if job["content"] is not None:
            content = json.loads(job["content"])
            return read_payload(content, _job_event_id(job), self._read, self._is_stopping), []
        with self._db.read() as conn:
            if whole_session:
                rows = conn.execute(
                    "SELECT event_id, payload, metadata FROM events WHERE memory_id = ?"
                    " AND actor_id = ? AND session_id = ? ORDER BY ts_ms, seq",
                    (job["memory_id"], job["actor_id"], job["session_id"]),
                ).fetchall()
            else:
                wanted = sorted({m["eventId"] for m in json.loads(job["messages"])})
                marks = ",".join("?" * len(wanted))
                rows = conn.execute(
                    "SELECT event_id, payload, metadata FROM events WHERE memory_id = ?"
                    f" AND actor_id = ? AND session_id = ? AND event_id IN ({marks})"
                    " ORDER BY ts_ms, seq",
                    (job["memory_id"], job["actor_id"], job["session_id"], *wanted),
                ).fetchall()
        messages: list[Message] = []
        sources: list[Source] = []
        for row in rows:
            payload = json.loads(row["payload"])
            found = read_payload(payload, row["event_id"], self._read, self._is_stopping)
            messages += found
            if found:
                sources.append(Source(row["event_id"], _trace_id(row["metadata"])))
        return messages, sources


def resolve_namespace(
    template: str, *, actor_id: str, session_id: str, strategy_id: str, variables: dict[str, str]
) -> str:
    """A namespace template with its ``{variables}`` filled in.

    Raises:
        ValueError: A variable has no value, or the result is not a valid namespace.
    """
    values = {"actorId": actor_id, "sessionId": session_id, "memoryStrategyId": strategy_id}
    values.update(variables)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ValueError(f"namespace variable {{{name}}} has no value")
        return values[name]

    namespace = _VARIABLE.sub(fill, template)
    return limits.NAMESPACE.check(namespace, "namespace")


def _job_event_id(job: Any) -> str:
    """The id a job's messages are listed under (IngestData's ``ingest#...``), for log lines."""
    listed = json.loads(job["messages"])
    return str(listed[0]["eventId"]) if listed else ""


def _trace_id(stored: str | None) -> str | None:
    """The W3C trace id an event was stamped with under the default key, if valid."""
    try:
        value = (json.loads(stored) if stored else {}).get(DEFAULT_TRACE_ID_KEY)
        trace_id = value.get("stringValue") if isinstance(value, dict) else None
        return normalize_trace_id(trace_id) if isinstance(trace_id, str) else None
    except (ValueError, AttributeError):  # hostile or foreign metadata names no trace
        return None


def _job_shape(row: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "jobID": row["job_id"],
        "messages": {"messagesList": json.loads(row["messages"])},
        "strategyId": row["strategy_id"],
        "sessionId": row["session_id"],
        "actorId": row["actor_id"],
    }
    if row["status"] == "FAILED":  # the model's status enum has only FAILED
        job["status"] = "FAILED"
        job["failureReason"] = row["failure_reason"] or "unknown"
    return job
