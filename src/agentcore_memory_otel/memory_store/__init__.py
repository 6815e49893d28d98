"""A Strands ``MemoryStore`` on AgentCore Memory long-term records, traced and measured."""

from .config import (
    RESERVED_METADATA_PREFIX,
    AgentCoreExactNamespaceStoreConfig,
    AgentCoreMemoryStoreConfig,
    AgentCoreSubtreeStoreConfig,
    ExtractionMode,
    MetadataProvider,
    MetadataValue,
    resolve_namespace,
    slugify_namespace,
)
from .factory import (
    AgentCoreExtractionConfig,
    AgentCoreNamespaceConfig,
    CreateAgentCoreMemoryStoresInput,
    create_agentcore_memory_stores,
)
from .store import AgentCoreMemoryStore

__all__ = [
    "RESERVED_METADATA_PREFIX",
    "AgentCoreExactNamespaceStoreConfig",
    "AgentCoreExtractionConfig",
    "AgentCoreMemoryStore",
    "AgentCoreMemoryStoreConfig",
    "AgentCoreNamespaceConfig",
    "AgentCoreSubtreeStoreConfig",
    "CreateAgentCoreMemoryStoresInput",
    "ExtractionMode",
    "MetadataProvider",
    "MetadataValue",
    "create_agentcore_memory_stores",
    "resolve_namespace",
    "slugify_namespace",
]
