"""Strands Agents memory on Amazon Bedrock AgentCore Memory, traceable with OpenTelemetry.

The public names are imported on first use, so importing the package (as the command line
does before it can handle Ctrl-C) does not load Strands, boto3 and OpenTelemetry up front.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .memory_store import AgentCoreMemoryStore
    from .session.config import AgentCoreMemoryConfig, PersistenceMode, RetrievalConfig
    from .session.fork import Fork, ForkPosition, fork_session
    from .session.fork_guards import ForkError
    from .session.manager import AgentCoreMemorySessionManager
    from .session.write.batcher import FlushError, StorageError
    from .telemetry.find import TraceEvent, find_events
    from .wire.redact import compose_filters, redact_common
    from .wire.trace_stamp import trace_metadata_provider

_HOMES = {
    "AgentCoreMemoryConfig": ".session.config",
    "AgentCoreMemorySessionManager": ".session.manager",
    "AgentCoreMemoryStore": ".memory_store",  # needs a Strands with strands.memory
    "FlushError": ".session.write.batcher",
    "Fork": ".session.fork",
    "ForkError": ".session.fork_guards",
    "ForkPosition": ".session.fork",
    "PersistenceMode": ".session.config",
    "RetrievalConfig": ".session.config",
    "StorageError": ".session.write.batcher",
    "TraceEvent": ".telemetry.find",
    "compose_filters": ".wire.redact",
    "find_events": ".telemetry.find",
    "redact_common": ".wire.redact",
    "fork_session": ".session.fork",
    "trace_metadata_provider": ".wire.trace_stamp",
}
"""Where each public name lives."""

__all__ = [
    "AgentCoreMemoryConfig",
    "AgentCoreMemorySessionManager",
    "AgentCoreMemoryStore",
    "FlushError",
    "Fork",
    "ForkError",
    "ForkPosition",
    "PersistenceMode",
    "RetrievalConfig",
    "StorageError",
    "TraceEvent",
    "__version__",
    "compose_filters",
    "find_events",
    "fork_session",
    "redact_common",
    "trace_metadata_provider",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    """The module's names, the ones not imported yet included."""
    return sorted({*globals(), *_HOMES})
