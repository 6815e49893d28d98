"""The request fuzzer (fuzz.py) against the local server: never a 500, never a dropped
connection, and every 2xx answer readable by botocore.

The default run sends a fixed-seed slice; ``pytest -m fuzz`` runs the long one (CI runs it:
sized for a few minutes on 2 cores). Each prints requests per operation, per mode and per
status (``-s`` shows it).
"""

from __future__ import annotations

import pytest

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.local.operations import REGISTRY

from .fuzz import Fuzzer, Mode, Report

SLICE_REQUESTS = 1_500
LONG_REQUESTS = 60_000
LONG_SEEDS = (1, 2, 3, 4, 5, 6)


def _run(seed: int, count: int, capsys: pytest.CaptureFixture[str]) -> Report:
    report = Report()
    with LocalMemoryServer(settle_seconds=0) as server:
        fuzzer = Fuzzer(server, seed)
        try:
            fuzzer.run(count, report)
        finally:
            fuzzer.close()
    with capsys.disabled():
        print(f"\nfuzz seed {seed}:\n{report.table()}")
    return report


def _check(report: Report) -> None:
    served = set(REGISTRY)
    assert set(report.sent) == served
    assert {mode.value for mode in Mode} == set(report.by_mode)
    shown = "\n".join(
        f"{f.built.operation} [{f.built.mode.value}] {f.built.method} {f.built.path[:200]} "
        f"body={(f.built.body or b'')[:300]!r}: {f.problem}"
        for f in report.failures[:20]
    )
    assert report.failures == [], f"{len(report.failures)} failures:\n{shown}"
    assert report.statuses.get(500, 0) == 0


def test_a_fixed_seed_slice_gets_no_500(capsys: pytest.CaptureFixture[str]) -> None:
    _check(_run(22, SLICE_REQUESTS, capsys))


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", LONG_SEEDS)
def test_the_long_run_gets_no_500(seed: int, capsys: pytest.CaptureFixture[str]) -> None:
    _check(_run(seed, LONG_REQUESTS // len(LONG_SEEDS), capsys))
