"""The AgentCore Memory the demo uses: real AWS, an endpoint given, or the embedded server."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from ...client.boto import make_client
from . import longterm
from .results import DemoError, DemoOptions, Print


@contextlib.contextmanager
def memory_service(options: DemoOptions, out: Print, steps: int) -> Iterator[Any]:
    """The AgentCore Memory to use: real AWS, an endpoint given, or the embedded server."""
    if options.aws or options.endpoint_url:
        out(f"[1/{steps}] Using AgentCore Memory at {where(options)}")
        control = make_client(
            "bedrock-agentcore-control",
            region_name=options.region,
            endpoint_url=options.endpoint_url,
        )
        yield options.endpoint_url, None, control
        return
    from ...local import LocalMemoryServer
    from ...wire.conversation_reader import read_strands_message

    latency = f", adding {options.latency_ms:g} ms per call" if options.latency_ms else ""
    out(
        f"[1/{steps}] Starting the embedded AgentCore Memory server "
        f"(SQLite file {options.db}{latency})"
    )
    # The server reads stored text as the service does; the demo's conversations are this
    # package's Strands message JSON, so it is handed the reader of that format.
    with LocalMemoryServer(
        options.db, region=options.region, conversation_reader=read_strands_message
    ) as server:
        server.faults.set_latency(options.latency_ms / 1000)
        out(f"      listening on {server.endpoint_url}")
        yield server.endpoint_url, server, server.client("bedrock-agentcore-control")


def where(options: DemoOptions) -> str:
    """The AgentCore Memory the demo uses, in words."""
    if options.endpoint_url:
        return options.endpoint_url
    if options.aws:
        return f"AWS ({options.region})"
    return f"the embedded server (SQLite file {options.db})"


def memory(control: Any, options: DemoOptions) -> dict[str, Any]:
    """The memory to use: ``--memory-id`` (checked), or a new one with a unique name.

    A new memory has the three built-in long-term strategies (``longterm.STRATEGIES``).
    """
    if options.memory_id:
        try:
            return dict(control.get_memory(memoryId=options.memory_id)["memory"])
        except control.exceptions.ResourceNotFoundException:
            raise DemoError(
                f"memory {options.memory_id} does not exist at {where(options)}: check "
                "--memory-id, or leave it out to create a memory"
            ) from None
    name = f"agentcore_memory_otel_demo_{time.strftime('%Y%m%d%H%M%S')}"
    memory = dict(
        control.create_memory(
            name=name, eventExpiryDuration=30, memoryStrategies=longterm.strategy_requests()
        )["memory"]
    )
    if options.aws:
        control.get_waiter("memory_created").wait(memoryId=memory["id"])
    return memory
