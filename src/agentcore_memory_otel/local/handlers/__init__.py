"""Operation handlers: read a decoded request, call the backend, shape the response body.

Each module registers its handlers with ``operations.operation``, which checks every request
against botocore's model first; a handler reads values the model has vouched for and adds only
the rules the model cannot state. Handlers know the wire shapes but nothing of HTTP, so tests
can call them directly.
"""

from __future__ import annotations

from ..operations import REGISTRY, Request
from . import events, extraction, memories, records

__all__ = ["REGISTRY", "Request", "events", "extraction", "memories", "records"]
