"""State survives a restart of the server on the same SQLite file."""

from __future__ import annotations

from pathlib import Path

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import NO_RETRIES
from .helpers import put

T0 = 1_735_689_600.0


def test_restart_keeps_memories_events_order_tokens_and_records(tmp_path: Path) -> None:
    db = tmp_path / "memory.db"
    with LocalMemoryServer(db) as first:
        control = first.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="durable", eventExpiryDuration=30)["memory"]["id"]
        client = first.client(config=NO_RETRIES)
        ids = [put(client, memory_id, T0 + i % 3, clientToken=f"t{i}")["eventId"] for i in range(6)]
        page = client.list_events(
            memoryId=memory_id, actorId="actor-1", sessionId="session-1", maxResults=2
        )
        record = client.batch_create_memory_records(
            memoryId=memory_id,
            records=[
                {
                    "requestIdentifier": "r",
                    "namespaces": ["/n"],
                    "content": {"text": "kept"},
                    "timestamp": T0,
                }
            ],
        )["successfulRecords"][0]["memoryRecordId"]
    with LocalMemoryServer(db) as second:
        client = second.client(config=NO_RETRIES)
        assert (
            second.client("bedrock-agentcore-control").get_memory(memoryId=memory_id)["memory"][
                "status"
            ]
            == "ACTIVE"
        )
        # The token from before the restart continues where it left off.
        rest = client.list_events(
            memoryId=memory_id,
            actorId="actor-1",
            sessionId="session-1",
            maxResults=100,
            nextToken=page["nextToken"],
        )
        listed = [e["eventId"] for e in page["events"] + rest["events"]]
        expected = [ids[i] for i in (5, 2, 4, 1, 3, 0)]  # by timestamp, then newest-created
        assert listed == expected
        # Idempotency survives too.
        assert put(client, memory_id, T0 + 0, clientToken="t0")["eventId"] == ids[0]
        assert client.get_memory_record(memoryId=memory_id, memoryRecordId=record)["memoryRecord"][
            "content"
        ] == {"text": "kept"}
    assert db.exists()
