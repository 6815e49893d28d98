"""Data control: erasing an actor or a session, and moving sessions as JSON Lines.

``erase`` deletes every event of an actor (or one session), its long-term records and its
journal rows, then checks that nothing remains; ``export_events`` and ``import_events`` copy
sessions between memories (or from the local server to AWS) through a JSON Lines file.
See docs/data-control.md.
"""

from __future__ import annotations

from .erase import ErasePlan, EraseReport, erase
from .progress import Progress, Step
from .transfer import ExportReport, ImportReport, export_events, import_events

__all__ = [
    "ErasePlan",
    "EraseReport",
    "ExportReport",
    "ImportReport",
    "Progress",
    "Step",
    "erase",
    "export_events",
    "import_events",
]
