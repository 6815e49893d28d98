"""Extraction handlers: IngestData, StartMemoryExtractionJob, ListMemoryExtractionJobs.

All three share ``extraction.ExtractionEngine`` with CreateEvent's extraction: one
implementation of jobs, records and namespaces.
"""

from __future__ import annotations

import uuid

from ..backend import Backend
from ..idempotency import fingerprint, previous_answer, remember_answer
from ..operations import Body, Request, operation
from ..validation import Problems
from .common import data_memory, page, read_max_results, read_next_token

_JOBS_DEFAULT = 20


@operation("IngestData")
def ingest_data(backend: Backend, request: Request) -> Body:
    """IngestData -> 202 ``{sessionId}``: content goes to extraction, not to short-term memory.

    The same ``clientToken`` returns the first answer and queues nothing (also when only
    ``contentTimestamp`` differs).
    """
    memory_id = data_memory(backend, request)
    body = request.body
    problems = Problems()
    token = problems.token("clientToken", body.get("clientToken"))
    problems.raise_if_any()
    digest = fingerprint(body, "contentTimestamp")
    with backend.db.write() as conn:
        previous = previous_answer(conn, memory_id, "IngestData", token, digest)
        if previous is not None:
            return dict(previous)
        answer = {"sessionId": body.get("sessionId") or str(uuid.uuid4())}
        remember_answer(conn, memory_id, "IngestData", token, digest, answer)
    payload = body["source"]["inline"]["payload"]
    backend.extraction.submit(
        memory_id,
        body["actorId"],
        answer["sessionId"],
        f"ingest#{uuid.uuid4().hex[:8]}",
        payload,
        variables=(body.get("extractionConfig") or {}).get("namespaceVariables"),
        content=payload,
    )
    return answer


@operation("StartMemoryExtractionJob")
def start_memory_extraction_job(backend: Backend, request: Request) -> Body:
    """StartMemoryExtractionJob -> 200 ``{jobId}``: run a job again (usually a FAILED one).

    Running a job twice stores nothing twice: extracted texts are de-duplicated per namespace.
    """
    memory_id = data_memory(backend, request)
    job_id = request.body["extractionJob"]["jobId"]
    backend.extraction.restart(memory_id, job_id)
    return {"jobId": job_id}


@operation("ListMemoryExtractionJobs")
def list_memory_extraction_jobs(backend: Backend, request: Request) -> Body:
    """ListMemoryExtractionJobs -> 200 ``{jobs, nextToken?}``, newest first.

    Every job is listed; ``status`` (and ``failureReason``) appear only on FAILED jobs, since
    the model's status enum has only that value. ``filter.status=FAILED`` lists failed jobs.
    """
    memory_id = data_memory(backend, request)
    problems = Problems()
    token = read_next_token(problems, request.body)
    problems.raise_if_any()
    jobs, more = backend.extraction.list_jobs(
        memory_id,
        request.body.get("filter") or {},
        max_results=read_max_results(request.body, default=_JOBS_DEFAULT),
        next_token=token,
    )
    return page("jobs", jobs, more)
