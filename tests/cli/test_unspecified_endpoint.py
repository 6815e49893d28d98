"""The endpoint ``serve --host 0.0.0.0`` prints works without AWS credentials, as loopback does.

``serve`` prints ``http://0.0.0.0:P`` (or ``http://[::]:P``) to export; connecting there reaches
this machine, so a client without credentials gets the local placeholders, not NoCredentialsError.
The test's server binds only 127.0.0.1.
"""

from __future__ import annotations

import pytest

from agentcore_memory_otel.client.boto import make_client
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.loopback import is_loopback


@pytest.mark.usefixtures("no_aws_credentials")
def test_a_client_for_0_0_0_0_needs_no_credentials(server: LocalMemoryServer) -> None:
    port = server.endpoint_url.rsplit(":", 1)[1]
    memory_id = server.client("bedrock-agentcore-control").create_memory(
        name="wide", eventExpiryDuration=30
    )["memory"]["id"]
    client = make_client(endpoint_url=f"http://0.0.0.0:{port}", region_name="us-east-1")
    assert client.list_actors(memoryId=memory_id)["actorSummaries"] == []


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://0.0.0.0:8765", True),
        ("http://[::]:8765", True),
        ("http://[::1]:8765", True),
        ("http://127.1.2.3:8765", True),
        ("http://LOCALHOST:8765", True),
        ("http://[::ffff:127.0.0.1]:8765", True),
        ("http://127.example.com:8765", False),
        ("http://10.0.0.1:8765", False),
        ("https://bedrock-agentcore.us-east-1.amazonaws.com", False),
        (None, False),
    ],
)
def test_which_endpoints_are_this_machine(url: str | None, local: bool) -> None:
    assert is_loopback(url) is local
