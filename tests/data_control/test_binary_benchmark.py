"""The binary_policy benchmark's counts, exact: a 5 MB image costs bytes under "keep" only.

The calls are the same under every policy (the policy changes what an event holds, not how
many are written); the times the benchmark prints are not checked.
"""

from __future__ import annotations

import os

import pytest
from benchmarks.binary_policy import POLICIES, measure

from agentcore_memory_otel.local import LocalMemoryServer

IMAGE = os.urandom(5 * 1024 * 1024)


@pytest.mark.parametrize("policy", POLICIES)
def test_calls_and_bytes_per_policy(server: LocalMemoryServer, memory_id: str, policy: str) -> None:
    figures = measure(server, memory_id, policy, IMAGE, f"bench-{policy}")
    # user message + toolUse + toolResult + answer, one event each (batch_size=1).
    assert figures.write_calls == {"CreateEvent": 4, "ListEvents": 1}
    assert figures.restore_calls == {"ListEvents": 1}
    assert figures.events == 4
    if policy == "keep":
        assert figures.stored_bytes > len(IMAGE) * 4 // 3  # base64 in the stored JSON
        assert figures.restored_image_bytes == len(IMAGE)
    else:
        assert figures.stored_bytes < 4096
        assert figures.restored_image_bytes == 0
