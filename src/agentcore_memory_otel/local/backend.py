"""The local server's state and rules in one object, with no HTTP: memories, events, records."""

from __future__ import annotations

from pathlib import Path

from .db import Database
from .events import EventStore
from .memories import MemoryResources
from .records import RecordStore

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"


class Backend:
    """Everything the local server stores, backed by one SQLite database.

    Args:
        path: SQLite file to use; ``":memory:"`` keeps state only for this object's life.
        region: Region used in memory ARNs.
        account_id: Account id used in memory ARNs.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        self.db = Database(path)
        self.memories = MemoryResources(self.db, region=region, account_id=account_id)
        self.events = EventStore(self.db)
        self.records = RecordStore(self.db)

    def close(self) -> None:
        """Close the database."""
        self.db.close()
