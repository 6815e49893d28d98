"""What the content filter costs: redact_common on hostile and ordinary text, and per entry.

Usage: ``python3 -m benchmarks.content_filter``

Prints the worst time of ``redact_common`` on 100,000 characters (the API's longest text) of
repeated near-matches, its time on ordinary prose of that length and on a short message, and
the time ``EntryFactory.message`` takes to build one entry for a one-tool turn's messages with
and without the filter. Wall-clock times on this machine, indicative only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from strands.types.session import SessionMessage

from agentcore_memory_otel import redact_common
from agentcore_memory_otel.session.write.entries import EntryFactory
from agentcore_memory_otel.wire import limits
from agentcore_memory_otel.wire.clock import MonotonicClock
from agentcore_memory_otel.wire.content_policy import ContentPolicy

HOSTILE_UNITS = ("a", "a.", "a@", "a@b.", "1", "1 ", "1-", "+1", "(555) ", "AKIA", "eyJ", "bearer ")
PROSE = (
    "Hello, I'd like to update my billing details. My order from 2024-01-15 (ref 1733380000000) "
    "version 1.2.3 is late. "
)


def _best(action: Callable[[], Any], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def _messages() -> list[SessionMessage]:
    tool_use = {"toolUse": {"toolUseId": "t1", "name": "lookup", "input": {"email": "a@b.com"}}}
    result = {
        "toolResult": {
            "toolUseId": "t1",
            "status": "success",
            "content": [{"text": "customer a@b.com, phone +1 555 123 4567"}],
        }
    }
    raw: list[Any] = [
        {"role": "user", "content": [{"text": "Find the customer a@b.com please."}]},
        {"role": "assistant", "content": [tool_use]},
        {"role": "user", "content": [result]},
        {"role": "assistant", "content": [{"text": "Found them: card ending 1111."}]},
    ]
    return [SessionMessage(message, index) for index, message in enumerate(raw)]


def _entry_time(policy: ContentPolicy, messages: list[SessionMessage]) -> float:
    """Seconds to build the entries of ``messages`` under ``policy`` (best of 500)."""
    factory = EntryFactory(
        clock=MonotonicClock(),
        default_metadata={},
        metadata_provider=None,
        stamp_traces=False,
        policy=policy,
    )
    return _best(lambda: [factory.message(m, "agent", base=0) for m in messages], 500)


def main() -> None:
    rows: list[tuple[str, str]] = []
    worst, unit = max(
        (_filter_time(_hostile(unit, tail), 3), unit)
        for unit in HOSTILE_UNITS
        for tail in ("", "!", "\n")
    )
    rows.append((f"100,000 chars of near-matches, worst ({unit!r})", f"{worst * 1000:.1f} ms"))
    prose = (PROSE * (limits.TEXT_MAX_CHARS // len(PROSE) + 1))[: limits.TEXT_MAX_CHARS]
    rows.append(
        ("100,000 chars of prose", f"{_best(lambda: redact_common(prose), 5) * 1000:.1f} ms")
    )
    short = "Hi, can you check my order status please?"
    rows.append(
        ("a 41-character message", f"{_best(lambda: redact_common(short), 2000) * 1e6:.1f} µs")
    )
    messages = _messages()
    for label, policy in (
        ("none", ContentPolicy()),
        ("redact_common", ContentPolicy(redact_common)),
    ):
        seconds = _entry_time(policy, messages)
        rows.append(
            (f"entries of a one-tool turn (4 messages), filter {label}", f"{seconds * 1e6:.0f} µs")
        )
    print("| measure | time |")
    print("|---|---|")
    for measure, figure in rows:
        print(f"| {measure} | {figure} |")


def _filter_time(text: str, repeat: int) -> float:
    """Seconds ``redact_common`` takes on ``text`` (best of ``repeat``)."""
    return _best(lambda: redact_common(text), repeat)


def _hostile(unit: str, tail: str) -> str:
    return (unit * limits.TEXT_MAX_CHARS)[: limits.TEXT_MAX_CHARS] + tail


if __name__ == "__main__":
    main()
