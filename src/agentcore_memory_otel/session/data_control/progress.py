"""Progress of a long data-control run, reported to a callback as it goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Step(str, Enum):
    """The steps of an erase, export or import, in the order they run."""

    SURVEY = "survey"  # listing what there is (sessions, events, records, journal rows)
    JOURNAL = "journal"  # deleting the journal's rows
    EVENTS = "events"  # deleting events
    RECORDS = "records"  # deleting long-term records
    VERIFY = "verify"  # listing what remains
    EXPORT = "export"  # writing events to the file
    IMPORT = "import"  # creating events from the file


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` items of ``step`` (``total`` is ``None`` while still unknown)."""

    step: Step
    done: int
    total: int | None = None


ProgressCallback = Callable[[Progress], None]
"""Called after each item of work; it must not raise (an exception ends the run)."""
