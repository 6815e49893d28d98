"""Strands Agents memory on Amazon Bedrock AgentCore Memory, traceable with OpenTelemetry.

The public names are imported on first use, so importing the package (as the command line
does before it can handle Ctrl-C) does not load Strands, boto3 and OpenTelemetry up front.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .config import AgentCoreMemoryConfig, PersistenceMode, RetrievalConfig
    from .find import TraceEvent, find_events
    from .fork import Fork, ForkPosition, fork_session
    from .fork_guards import ForkError
    from .memory_store import AgentCoreMemoryStore
    from .persistence.writer import FlushError, StorageError
    from .redact import compose_filters, redact_common
    from .session_manager import AgentCoreMemorySessionManager
    from .trace_stamp import trace_metadata_provider

_HOMES = {
    "AgentCoreMemoryConfig": ".config",
    "AgentCoreMemorySessionManager": ".session_manager",
    "AgentCoreMemoryStore": ".memory_store",  # needs a Strands with strands.memory
    "FlushError": ".persistence.writer",
    "Fork": ".fork",
    "ForkError": ".fork_guards",
    "ForkPosition": ".fork",
    "PersistenceMode": ".config",
    "RetrievalConfig": ".config",
    "StorageError": ".persistence.writer",
    "TraceEvent": ".find",
    "compose_filters": ".redact",
    "find_events": ".find",
    "redact_common": ".redact",
    "fork_session": ".fork",
    "trace_metadata_provider": ".trace_stamp",
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
