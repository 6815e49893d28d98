"""The drop-in promise, checked against the installed bedrock-agentcore SDK (1.25)."""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bedrock_agentcore.memory.integrations.strands as sdk_strands
import pytest
from bedrock_agentcore.memory.integrations.strands.bedrock_converter import (
    AgentCoreMemoryConverter,
)
from bedrock_agentcore.memory.integrations.strands.config import (
    AgentCoreMemoryConfig as SdkConfig,
)
from bedrock_agentcore.memory.integrations.strands.config import (
    RetrievalConfig as SdkRetrievalConfig,
)
from bedrock_agentcore.memory.integrations.strands.converters import OpenAIConverseConverter
from bedrock_agentcore.memory.integrations.strands.session_manager import (
    AgentCoreMemorySessionManager as SdkManager,
)
from pydantic import BaseModel
from strands import Agent

from agentcore_memory_otel import (
    AgentCoreMemoryConfig,
    AgentCoreMemorySessionManager,
    RetrievalConfig,
)
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall

from .conftest import ACTOR, SESSION, ManagerFactory, add

README = Path(sdk_strands.__file__).parent / "README.md"


def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    return {name: field.get_default() for name, field in model.model_fields.items()}


@pytest.mark.parametrize(
    ("ours", "sdk"), [(AgentCoreMemoryConfig, SdkConfig), (RetrievalConfig, SdkRetrievalConfig)]
)
def test_every_sdk_field_exists_here_with_the_same_default(
    ours: type[BaseModel], sdk: type[BaseModel]
) -> None:
    ours_defaults, sdk_defaults = _defaults(ours), _defaults(sdk)
    assert set(sdk_defaults) <= set(ours_defaults)
    for name, default in sdk_defaults.items():
        assert ours_defaults[name] == default, name


def test_every_sdk_field_set_at_once_builds_here(memory_id: str) -> None:
    """Every field of the SDK's config documentation, none at its default."""
    fields: dict[str, Any] = {
        "memory_id": memory_id,
        "session_id": SESSION,
        "actor_id": ACTOR,
        "retrieval_config": {
            "/facts/{actorId}/": {
                "top_k": 3,
                "relevance_score": 0.5,
                "strategy_id": "semantic-1",
                "initialization_query": "what the user likes",
            }
        },
        "batch_size": 5,
        "flush_interval_seconds": 30.0,
        "context_tag": "memory",
        "filter_restored_tool_context": True,
        "default_metadata": {"project": "atlas"},
        "metadata_provider": lambda: {"env": "test"},
        "persistence_mode": "NONE",
        "async_mode": True,
    }
    assert set(fields) == set(SdkConfig.model_fields)
    sdk, ours = SdkConfig(**fields), AgentCoreMemoryConfig(**fields)
    for name in ("batch_size", "flush_interval_seconds", "context_tag", "async_mode"):
        assert getattr(ours, name) == getattr(sdk, name)
    assert ours.persistence_mode.value == sdk.persistence_mode.value
    assert ours.retrieval_config is not None and sdk.retrieval_config is not None
    assert ours.retrieval_config["/facts/{actorId}/"].model_dump() == (
        sdk.retrieval_config["/facts/{actorId}/"].model_dump()
    )


def test_every_sdk_constructor_argument_is_accepted_here() -> None:
    ours = inspect.signature(AgentCoreMemorySessionManager.__init__).parameters
    sdk = inspect.signature(SdkManager.__init__).parameters
    for name, parameter in sdk.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            continue  # the SDK ignores unknown keywords; here they are a TypeError
        assert name in ours, name
        assert ours[name].kind == parameter.kind, name
        assert ours[name].default == parameter.default, name


def _readme_calls() -> list[ast.Call]:
    """Every AgentCoreMemoryConfig(...) call in the SDK README's Python examples."""
    text = README.read_text()
    found: list[ast.Call] = []
    for block in text.split("```python")[1:]:
        tree = ast.parse(block.split("```")[0])
        found += [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "AgentCoreMemoryConfig"
        ]
    return found


def test_the_sdk_readme_configurations_build_here(
    server: LocalMemoryServer, memory_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    namespace: dict[str, Any] = {
        "AgentCoreMemoryConfig": AgentCoreMemoryConfig,
        "RetrievalConfig": RetrievalConfig,
        "MEM_ID": memory_id,
        "SESSION_ID": "readme-session",
        "ACTOR_ID": "readme-actor",
        "get_trace_metadata": lambda: {"traceId": "0" * 32},
    }
    calls = _readme_calls()
    assert len(calls) == 7  # the README's examples in 1.25; a new one needs a look
    for call in calls:
        config = eval(compile(ast.Expression(call), str(README), "eval"), namespace)
        # As the README then does: the session manager, by region, and an agent on it.
        with AgentCoreMemorySessionManager(config, region_name="us-east-1") as manager:
            Agent(model=ScriptedModel([]), session_manager=manager, callback_handler=None)


def _agent(manager: Any, script: list[Any]) -> Agent:
    return Agent(
        model=ScriptedModel(script),
        tools=[add],
        agent_id="assistant",
        session_manager=manager,
        callback_handler=None,
    )


def _history(agent: Agent) -> list[Any]:
    messages: list[Any] = json.loads(json.dumps(agent.messages))
    for message in messages:
        message.pop("tracking_id", None)
    return messages


@pytest.mark.parametrize("converter", [OpenAIConverseConverter, AgentCoreMemoryConverter])
def test_a_converter_is_honoured_on_write_and_read_like_the_sdks(
    converter: Any,
    server: LocalMemoryServer,
    memory_id: str,
    make_manager: ManagerFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")

    def sdk_manager() -> SdkManager:
        config = SdkConfig(memory_id=memory_id, session_id=SESSION, actor_id=ACTOR)
        return SdkManager(config, region_name="us-east-1", converter=converter)

    def ours() -> AgentCoreMemorySessionManager:
        return AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(memory_id=memory_id, session_id=SESSION, actor_id=ACTOR),
            endpoint_url=server.endpoint_url,
            converter=converter,
        )

    _agent(sdk_manager(), ["Hello!"])("Hi")
    here = _agent(ours(), [ToolCall("add", {"a": 2, "b": 3}), "5."])
    sdk_view = _history(_agent(sdk_manager(), []))
    assert _history(here) == sdk_view
    here("What is 2 + 3?")
    # Both read what this package wrote with the converter, in the converter's format.
    assert _history(_agent(sdk_manager(), [])) == _history(_agent(ours(), []))
    assert len(_agent(ours(), []).messages) == 6
    raw = server.client().list_events(
        memoryId=memory_id, actorId=ACTOR, sessionId=SESSION, includePayloads=True
    )["events"]
    texts = [
        item["conversational"]["content"]["text"]
        for event in raw
        for item in event["payload"]
        if "conversational" in item
    ]
    if converter is OpenAIConverseConverter:
        assert any('"tool_calls"' in text for text in texts)  # OpenAI's shape, not Strands'


def test_unknown_constructor_arguments_are_refused(memory_id: str) -> None:
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id=SESSION, actor_id=ACTOR)
    build: Callable[..., Any] = AgentCoreMemorySessionManager
    with pytest.raises(TypeError, match="regoin_name"):
        build(config, regoin_name="us-east-1")


def test_async_mode_works_for_sync_and_async_invocation(make_manager: ManagerFactory) -> None:
    agent = _agent(make_manager(async_mode=True), ["one", "two"])
    agent("sync call")  # the SDK's async_mode makes this raise; here it is accepted

    async def call() -> None:
        await agent.invoke_async("async call")

    asyncio.run(call())
    assert len(_agent(make_manager(), []).messages) == 4
