"""Strands Agents memory on Amazon Bedrock AgentCore Memory, traceable with OpenTelemetry."""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from .config import AgentCoreMemoryConfig, PersistenceMode, RetrievalConfig
from .find import TraceEvent, find_events
from .persistence.writer import FlushError
from .session_manager import AgentCoreMemorySessionManager
from .trace_stamp import trace_metadata_provider

if TYPE_CHECKING:
    from .memory_store import AgentCoreMemoryStore

__all__ = [
    "AgentCoreMemoryConfig",
    "AgentCoreMemorySessionManager",
    "AgentCoreMemoryStore",
    "FlushError",
    "PersistenceMode",
    "RetrievalConfig",
    "TraceEvent",
    "__version__",
    "find_events",
    "trace_metadata_provider",
]


def __getattr__(name: str) -> Any:
    # Imported on first use: the store needs a Strands with strands.memory; the rest does not.
    if name == "AgentCoreMemoryStore":
        from .memory_store import AgentCoreMemoryStore

        return AgentCoreMemoryStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
