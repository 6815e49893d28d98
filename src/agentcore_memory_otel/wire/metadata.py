"""Event metadata: normalising, merging by precedence, and checking against the API limits.

Precedence, lowest first: the trace stamp, ``default_metadata``, ``metadata_provider()``,
per-call ``metadata``, then the keys the session manager sets itself (``stateType``,
``agentId``), which users may not set. Every check runs before any call is made and raises a
``ValueError`` that names the key and the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from . import limits

Metadata = dict[str, dict[str, str]]
"""Metadata in wire form: ``{key: {"stringValue": value}}``."""

STATE_TYPE_KEY: Final = "stateType"
AGENT_ID_KEY: Final = "agentId"
RESERVED_KEYS: Final = frozenset({STATE_TYPE_KEY, AGENT_ID_KEY})


def user_key_budget(*, trace_keys: int) -> int:
    """How many keys of their own users may put in one event's metadata.

    The API allows ``METADATA_MAX_KEYS`` per event; every reserved key and the trace stamp's
    keys are counted as taken, whether or not a given event ends up carrying them, so that a
    user's metadata never has to be split or dropped at planning time.
    """
    return limits.METADATA_MAX_KEYS - len(RESERVED_KEYS) - trace_keys


def check_key_budget(metadata: Metadata, *, trace_keys: int) -> None:
    """Raise if ``metadata`` leaves no room for the keys the session manager sets itself."""
    budget = user_key_budget(trace_keys=trace_keys)
    if len(metadata) > budget:
        taken = limits.METADATA_MAX_KEYS - budget
        raise ValueError(
            f"event metadata: {len(metadata)} keys {sorted(metadata)} plus the {taken} the "
            f"session manager sets exceed the limit of {limits.METADATA_MAX_KEYS} keys "
            f"(at most {budget} of your own)"
        )


def normalise(metadata: Mapping[str, Any] | None, *, source: str) -> Metadata:
    """Turn plain strings into ``{"stringValue": ...}`` and check each key and value.

    Args:
        metadata: Metadata as a user gives it.
        source: Where it came from, for error messages (e.g. ``"default_metadata"``).

    Raises:
        ValueError: A key is reserved, or a key or value breaks an API limit.
    """
    if not metadata:
        return {}
    if not isinstance(metadata, Mapping):
        raise ValueError(f"{source} must be a mapping of metadata keys to values")
    out: Metadata = {}
    for key, value in metadata.items():
        if key in RESERVED_KEYS:
            raise ValueError(f"{source}: metadata key {key!r} is reserved for the session manager")
        if isinstance(value, str):
            string_value = value
        elif isinstance(value, Mapping) and set(value) == {"stringValue"}:
            string_value = value["stringValue"]
        else:
            raise ValueError(
                f"{source}: metadata value for {key!r} must be a string or "
                f"{{'stringValue': str}}, got {value!r}"
            )
        check_entry(key, string_value, source=source)
        out[key] = {"stringValue": string_value}
    return out


def check_entry(key: str, value: str, *, source: str) -> None:
    """Check one key and value against the API's lengths and charset."""
    check_key(key, source=source)
    limits.EVENT_METADATA_VALUE.check(value, f"{source}: metadata value for {key!r}")


def check_key(key: Any, *, source: str) -> None:
    """Check one metadata key (of an event or a record) against the API's length and charset."""
    limits.METADATA_KEY.check(key, f"{source}: metadata key")


def merge(*layers: Metadata) -> Metadata:
    """Merge metadata layers; a later layer wins on the same key."""
    merged: Metadata = {}
    for layer in layers:
        merged.update(layer)
    return merged
