"""Operation handlers: validate a decoded request, call the backend, shape the response body.

Each module registers its handlers with ``operations.operation``; importing this package fills
the operations table. Handlers know the wire shapes but nothing of HTTP, so tests can call them
directly.
"""

from __future__ import annotations

from ..operations import REGISTRY, Handler, Request
from . import events, extraction, memories, records

HANDLERS: dict[str, Handler] = {name: entry.handler for name, entry in REGISTRY.items()}

__all__ = ["HANDLERS", "Request", "events", "extraction", "memories", "records"]
