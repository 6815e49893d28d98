"""Unmodified boto3 clients find the server through AWS_ENDPOINT_URL_* with dummy credentials."""

from __future__ import annotations

import boto3
import pytest

from agentcore_memory_otel.local import LocalMemoryServer


def test_clients_use_service_specific_endpoint_variables(
    server: LocalMemoryServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "dummy")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dummy")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    control = boto3.client("bedrock-agentcore-control")
    data = boto3.client("bedrock-agentcore")
    memory_id = control.create_memory(name="env", eventExpiryDuration=30)["memory"]["id"]
    data.create_event(
        memoryId=memory_id, actorId="a", sessionId="s", eventTimestamp=1_735_689_600, payload=[]
    )
    assert len(data.list_events(memoryId=memory_id, actorId="a", sessionId="s")["events"]) == 1
    assert server.stats.count("CreateEvent") == 1
