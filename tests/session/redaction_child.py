"""A redaction whose original cannot be deleted yet; a test kills this process.

Usage: ``python redaction_child.py ENDPOINT MEMORY_ID SESSION JOURNAL``. It stores a message,
redacts it, waits until the rewrite is acknowledged (the server refuses the DeleteEvent of the
original), prints ``ready`` and waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from strands import Agent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import ScriptedModel


def main() -> None:
    endpoint, memory_id, session, journal = sys.argv[1:5]
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id=session,
            actor_id="killed",
            write_mode="background",
            journal_path=Path(journal),
        ),
        endpoint_url=endpoint,
    )
    agent = Agent(model=ScriptedModel([]), session_manager=manager, callback_handler=None)
    secret = "my card is 4111 1111 1111 1111"  # spaced: no id or timestamp holds it
    manager.append_message({"role": "user", "content": [{"text": secret}]}, agent)
    manager.flush()  # the original is stored
    manager.redact_latest_message({"role": "user", "content": [{"text": "[redacted]"}]}, agent)
    while manager.pending_message_count():
        time.sleep(0.01)
    print("ready", flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
