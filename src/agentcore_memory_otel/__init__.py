"""Strands Agents memory on Amazon Bedrock AgentCore Memory, traceable with OpenTelemetry."""

__version__ = "0.1.0"

from .config import AgentCoreMemoryConfig, PersistenceMode, RetrievalConfig
from .find import TraceEvent, find_events
from .memory_store import AgentCoreMemoryStore
from .persistence.writer import FlushError
from .session_manager import AgentCoreMemorySessionManager
from .trace_stamp import trace_metadata_provider

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
