"""The calls of a data-control run: paced under the quotas, retried, counted, paged.

Every call goes through ``PacedCalls.call``: it waits for the operation's rate (per account,
and per actor and session where the API has such a quota), and retries what the service may
answer differently a moment later (throttling, a 5xx), after botocore's own retries gave up,
with a growing pause. Every operation a run makes is safe to repeat: deletes treat "not found"
as done, and CreateEvent carries a clientToken fixed by the event it copies.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, Final

from botocore.exceptions import ClientError

from ...client import paging
from ...client.rates import PER_SESSION, QUOTA_TPS, RatePacer
from ...telemetry import InstrumentedMemoryApi

RETRIED_CODES: Final = frozenset(
    {
        "ThrottledException",
        "ThrottlingException",
        "ServiceException",
        "InternalServerException",
        "ServiceUnavailableException",
        "RetryableConflictException",
    }
)
"""Error codes worth another try: the same request may succeed a moment later."""

DEFAULT_ATTEMPTS: Final = 8
"""Tries per call, botocore's retries aside; the pauses between them add up to ~40 s."""
_FIRST_PAUSE_S: Final = 0.25
_MAX_PAUSE_S: Final = 10.0


def error_code(exc: ClientError) -> str:
    """The AWS error code of a failed call (``""`` when the answer had none)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


class PacedCalls:
    """One run's calls to the data plane (and GetMemory on the control plane).

    Args:
        api: The traced data-plane API every call goes through.
        rates: Calls per second by operation, over ``QUOTA_TPS`` (0: no limit).
        attempts: Tries per call for throttling and server errors.
    """

    def __init__(
        self,
        api: InstrumentedMemoryApi,
        rates: Mapping[str, float] | None = None,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        self.api = api
        self.calls: Counter[str] = Counter()
        self._pacer = RatePacer({**QUOTA_TPS, **(rates or {})})
        self._attempts = attempts
        self._lock = threading.Lock()  # sessions may be erased side by side

    def call(
        self, operation: str, request: dict[str, Any], *, session: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """``operation`` with ``request``, paced (also per ``(actor, session)`` when given)."""
        keys = [operation]
        if session is not None:
            keys.append(f"{operation}{PER_SESSION}/{session[0]}/{session[1]}")
        pause = _FIRST_PAUSE_S
        for attempt in range(1, self._attempts + 1):
            self._pacer.wait(keys)
            with self._lock:
                self.calls[operation] += 1
            try:
                return self.api.call(operation, request)
            except ClientError as exc:
                if error_code(exc) not in RETRIED_CODES or attempt == self._attempts:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, _MAX_PAUSE_S)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def pages(
        self,
        operation: str,
        request: dict[str, Any],
        *,
        session: tuple[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every page of a list operation, at the largest page size, until no ``nextToken``.

        A filtered page may be empty and still carry a token: paging goes on.
        """
        return paging.pages(lambda paged: self.call(operation, paged, session=session), request)

    def sessions(self, memory_id: str, actor_id: str, *, with_events: bool) -> list[str]:
        """The actor's session ids (only those holding events, when ``with_events``)."""
        request: dict[str, Any] = {"memoryId": memory_id, "actorId": actor_id}
        if with_events:
            request["filter"] = {"eventFilter": "HAS_EVENTS"}
        return [
            summary["sessionId"]
            for page in self.pages("ListSessions", request)
            for summary in page.get("sessionSummaries", [])
        ]

    def events(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        *,
        payloads: bool,
        missing_ok: bool = False,
    ) -> list[dict[str, Any]]:
        """Every event of a session, every branch, newest first.

        With ``missing_ok``, a session the service reports as not found has no events (the
        caller checked that the memory exists).
        """
        request = {
            "memoryId": memory_id,
            "actorId": actor_id,
            "sessionId": session_id,
            "includePayloads": payloads,
        }
        events: list[dict[str, Any]] = []
        try:
            for page in self.pages("ListEvents", request, session=(actor_id, session_id)):
                events += page.get("events", [])
        except ClientError as exc:
            if not (missing_ok and error_code(exc) == "ResourceNotFoundException"):
                raise
        return events
