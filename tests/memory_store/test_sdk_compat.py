"""Drop-in compatibility with the bedrock-agentcore SDK's Strands memory store (1.25.0)."""

from __future__ import annotations

import asyncio
import inspect
import typing

import boto3
import pytest

from agentcore_memory_otel import AgentCoreMemoryStore
from agentcore_memory_otel import memory_store as ours
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.loopback import LOCAL_CREDENTIALS

from ..support import ACTOR, STORE_SESSION

sdk = pytest.importorskip("bedrock_agentcore.memory.integrations.strands.memorystore")

# Ours only: the local endpoint, telemetry, the trace stamp and the content filter.
OURS_ONLY = {
    "endpoint_url",
    "boto_client_config",
    "tracer_provider",
    "meter_provider",
    "trace_metadata",
    "trace_id_key",
    "span_id_key",
    "content_filter",
}


def test_the_constructor_takes_every_sdk_argument_with_the_same_default() -> None:
    theirs = inspect.signature(sdk.AgentCoreMemoryStore.__init__).parameters
    mine = inspect.signature(AgentCoreMemoryStore.__init__).parameters
    for name, parameter in theirs.items():
        assert name in mine, name
        assert mine[name].default == parameter.default, name
        assert mine[name].kind == parameter.kind, name
    assert set(mine) - set(theirs) == OURS_ONLY


def test_the_config_types_have_the_sdk_fields() -> None:
    for name in (
        "AgentCoreExactNamespaceStoreConfig",
        "AgentCoreSubtreeStoreConfig",
    ):
        theirs = typing.get_type_hints(getattr(sdk, name))
        mine = typing.get_type_hints(getattr(ours, name))
        assert set(theirs) == set(mine), name
        assert getattr(sdk, name).__required_keys__ == getattr(ours, name).__required_keys__
    assert ours.RESERVED_METADATA_PREFIX == sdk.RESERVED_METADATA_PREFIX
    for template in ("/facts/{actorId}/", "/a/{sessionId}/{memoryStrategyId}", "{actorId}"):
        assert ours.slugify_namespace(template) == sdk.slugify_namespace(template)
        assert ours.resolve_namespace(template, "ada", "s1") == sdk.resolve_namespace(
            template, "ada", "s1"
        )


def test_an_sdk_config_and_memory_client_build_a_working_store(
    server: LocalMemoryServer, memory_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    from bedrock_agentcore.memory import MemoryClient

    session = boto3.Session(region_name="us-east-1", **LOCAL_CREDENTIALS)
    config: ours.AgentCoreExactNamespaceStoreConfig = {
        "memory_id": memory_id,
        "actor_id": ACTOR,
        "session_id": STORE_SESSION,
        "namespace": "/facts/{actorId}",
        "writable": True,
        "max_search_results": 2,
        "client": MemoryClient(boto3_session=session),
    }
    store = AgentCoreMemoryStore(**config)
    asyncio.run(store.add("The user likes green tea"))
    (entry,) = asyncio.run(store.search("tea"))
    assert entry.content == "The user likes green tea"
    assert set(entry.metadata or {}) == {"_id", "_score", "_namespaces", "_createdAt"}


def test_the_factory_takes_every_sdk_argument_with_the_same_default() -> None:
    theirs = inspect.signature(sdk.create_agentcore_memory_stores).parameters
    mine = inspect.signature(ours.create_agentcore_memory_stores).parameters
    for name, parameter in theirs.items():
        assert name in mine and mine[name].default == parameter.default, name
    assert set(mine) - set(theirs) == {
        "endpoint_url",
        "boto_client_config",
        "tracer_provider",
        "meter_provider",
        "content_filter",
    }
    for name in ("AgentCoreNamespaceConfig", "CreateAgentCoreMemoryStoresInput"):
        theirs_hints = typing.get_type_hints(getattr(sdk, name))
        assert set(theirs_hints) == set(typing.get_type_hints(getattr(ours, name))), name
    assert set(typing.get_type_hints(sdk.AgentCoreExtractionConfig)) == set(
        typing.get_type_hints(ours.AgentCoreExtractionConfig)
    )
