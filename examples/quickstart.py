"""Quick start: a Strands agent whose conversation lives in AgentCore Memory.

Runs offline on the embedded local server; the model is a scripted stand-in (no LLM).
With real AWS, drop the LocalMemoryServer and endpoint_url: nothing else changes.
"""

from strands import Agent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="quickstart", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="chat-1", actor_id="ada")

    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(["Nice to meet you, Ada!"]),
            session_manager=memory,
            callback_handler=None,
        )
        agent("Hi, I'm Ada.")

    # A new session manager and agent pick the conversation up from memory.
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(model=ScriptedModel([]), session_manager=memory, callback_handler=None)
        for message in agent.messages:
            print(f"{message['role']}: {message['content'][0]['text']}")
    print("CreateEvent calls:", server.stats.count("CreateEvent"))
