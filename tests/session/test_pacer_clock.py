"""The write path's pacer and find's pacer on a fake clock: their waits, without waiting."""

from __future__ import annotations

import time

import pytest

from agentcore_memory_otel.client.rates import RatePacer as LookupPacer
from agentcore_memory_otel.session.write.pacing import Pacer

from ..support import FakeClock


def test_the_pacer_lets_a_burst_through_then_waits_a_window_and_never_lets_more_through() -> None:
    clock = FakeClock()
    pacer = Pacer(5, clock)
    started: list[float] = []
    call = pacer.paced(lambda _: started.append(clock.now))
    began = time.monotonic()
    for _ in range(11):
        call(None)
    assert time.monotonic() - began < 0.5  # no real waiting
    # Before the fix, float rounding at the window edge let the 11th call (and any after it)
    # through at 1.02 s: the wait said "now" while the window still held five calls.
    assert [round(t - 1000.0, 3) for t in started] == [0.0] * 5 + [1.02] * 5 + [2.04]


def test_a_call_counts_from_its_answer() -> None:
    clock = FakeClock()
    pacer = Pacer(1, clock)

    def slow(_: None) -> None:
        clock.advance(0.5)  # the answer arrives half a second after the request

    call = pacer.paced(slow)
    call(None)
    assert pacer.delay() == pytest.approx(1.02)
    call(None)
    assert clock.slept == [pytest.approx(1.02)]


def test_no_rate_never_waits() -> None:
    clock = FakeClock()
    call = Pacer(None, clock).paced(lambda n: n)
    assert [call(i) for i in range(100)] == list(range(100))
    assert clock.slept == []


def test_the_lookup_pacer_spaces_starts_per_key() -> None:
    clock = FakeClock()
    pacer = LookupPacer({"ListSessions": 10, "ListEvents per session": 2}, clock)
    for _ in range(3):
        pacer.wait(["ListSessions"])
    assert clock.now - 1000.0 == pytest.approx(0.2)  # starts at 0, 0.1, 0.2
    pacer.wait(["ListEvents", "ListEvents per session/a/s"])
    pacer.wait(["ListEvents", "ListEvents per session/a/s"])
    assert clock.now - 1000.0 == pytest.approx(0.2 + 0.5)
    pacer.wait(["ListEvents per session/a/other"])  # another session has its own spacing
    assert clock.now - 1000.0 == pytest.approx(0.7)
