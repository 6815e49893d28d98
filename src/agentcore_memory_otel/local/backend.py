"""The local server's state and rules in one object, without HTTP (extraction included)."""

from __future__ import annotations

from pathlib import Path

from .conversation import ConversationReader
from .db import Database
from .events import EMPTY_SESSION_SECONDS, EventStore
from .extraction import ExtractionEngine
from .extractors import Extractor
from .memories import DEFAULT_SETTLE_SECONDS, MemoryResources
from .records import RecordStore
from .traces import TraceIndex

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"


class Backend:
    """Everything the local server stores, backed by one SQLite database.

    Args:
        path: SQLite file to use; ``":memory:"`` keeps state only for this object's life.
        region: Region used in memory ARNs.
        account_id: Account id used in memory ARNs.
        settle_seconds: How long strategy changes of UpdateMemory take to settle.
        extractor: Long-term extraction; the deterministic ``RuleBasedExtractor`` by default.
        conversation_reader: How extraction reads a stored conversational item; the text as
            stored by default (``conversation.ConversationReader``).
        empty_session_seconds: How long a session left without events stays listed (the
            service: up to a day); 0 removes it, and an actor without sessions, at once.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
        extractor: Extractor | None = None,
        empty_session_seconds: float = EMPTY_SESSION_SECONDS,
        conversation_reader: ConversationReader | None = None,
    ) -> None:
        self.db = Database(path)
        self.memories = MemoryResources(
            self.db, region=region, account_id=account_id, settle_seconds=settle_seconds
        )
        self.events = EventStore(self.db, empty_session_seconds)
        self.traces = TraceIndex(self.db)
        self.records = RecordStore(self.db)
        self.extraction = ExtractionEngine(
            self.db, self.memories, self.records, extractor, conversation_reader
        )
        self.extraction.start()

    def close(self) -> None:
        """Stop extraction and close the database."""
        self.extraction.close()
        self.db.close()
