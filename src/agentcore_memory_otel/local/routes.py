"""Routes: HTTP method plus raw path to a registered operation and its labels.

The routes are derived from botocore's model (``model``) for the operations that have a
handler (``operations.REGISTRY``), so there is no route table to keep in step by hand.

The path is split on ``/`` *before* percent-decoding each segment, because actorIds may hold
``/`` and ``:`` and memoryIds may be ARNs; boto3 encodes those as ``%2F`` and ``%3A`` inside a
single segment. Where two templates fit a path, the one with more literal segments wins.
Data-plane and control-plane routes do not collide, so one server answers both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

from . import handlers, model
from .operations import REGISTRY


@dataclass(frozen=True)
class Route:
    """One operation's HTTP binding: method, URI template split into segments, status."""

    operation: str
    method: str
    segments: tuple[str, ...]
    status: int


@dataclass(frozen=True)
class Match:
    """A routed request: the operation, its decoded path labels and its success status."""

    operation: str
    labels: dict[str, str]
    status: int = 200


def _split(path: str) -> list[str]:
    return path.split("/")[1:]


@cache
def table() -> tuple[Route, ...]:
    """Every registered operation's route, most literal first."""
    assert handlers.REGISTRY  # importing the package registered the handlers
    found = []
    for name in REGISTRY:
        modelled = model.operation(name)
        found.append(Route(name, modelled.method, tuple(_split(modelled.uri)), modelled.status))
    return tuple(sorted(found, key=lambda r: sum(s.startswith("{") for s in r.segments)))


def _labels(template: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(template) != len(segments):
        return None
    labels: dict[str, str] = {}
    for pattern, raw in zip(template, segments, strict=True):
        if pattern.startswith("{"):
            value = unquote(raw)
            if not value:
                return None
            labels[pattern[1:-1].rstrip("+")] = value
        elif pattern != raw:
            return None
    return labels


def match(method: str, raw_path: str) -> Match | None:
    """Find the operation for a method and a raw (still percent-encoded) path."""
    segments = _split(raw_path)
    for route in table():
        if route.method != method:
            continue
        labels = _labels(route.segments, segments)
        if labels is not None:
            return Match(route.operation, labels, route.status)
    return None


def methods_for(raw_path: str) -> list[str]:
    """The methods some operation accepts on this path (empty: no operation has the path)."""
    segments = _split(raw_path)
    return sorted({r.method for r in table() if _labels(r.segments, segments) is not None})
