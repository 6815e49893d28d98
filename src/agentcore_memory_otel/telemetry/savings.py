"""Calls avoided, against the naive baseline a dashboard compares with.

**Baseline** (what a naive session manager does, in CreateEvent calls): one per message; one
per agent-state sync at each message and at the end of each invocation; one for the session
and one per agent when a new session starts; for a Graph or Swarm, one when it is first
persisted and one per checkpoint (after each node and each invocation). Reads are not part of
the baseline. The accounting below is the same for every record kind.

Every naive call maps to exactly one of: a message or record inside an event we sent, a sync
that found the state unchanged, or a record replaced before it was sent. So
``naive = CreateEvent calls made + calls avoided``, by construction:

* ``batching``: the 2nd and later messages of an event, and records superseded in the buffer;
* ``state_piggybacked``: a changed agent state riding in a message event;
* ``state_unchanged``: a sync that found nothing to write;
* ``deferred_session_creation``: the session record and a new agent's first record riding
  in another write instead of costing calls of their own.
"""

from __future__ import annotations

from collections import Counter

from ..wire.pending import PendingRecord
from ..wire.planned import PlannedEvent
from . import names


def _riding_reason(record: PendingRecord) -> str:
    """Why a record inside an event cost no call of its own."""
    # A new subject's first record stands in for the call that would have created it.
    return names.DEFERRED_SESSION_CREATION if record.is_new else names.STATE_PIGGYBACKED


def avoided_by_event(event: PlannedEvent) -> Counter[str]:
    """Naive calls that one sent event stands in for, beyond the one call it cost."""
    avoided: Counter[str] = Counter()
    records = list(event.records)
    if event.message_count:
        avoided[names.BATCHING] += event.message_count - 1
    else:
        records = records[1:]  # with no message, the first record pays for the call
    for record in records:
        avoided[_riding_reason(record)] += 1
    return +avoided


def avoided_by_superseded(record: PendingRecord) -> str:
    """The reason a record replaced in the buffer before being sent was never written."""
    return names.DEFERRED_SESSION_CREATION if record.is_new else names.BATCHING
