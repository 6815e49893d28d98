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
from .store import AgentCoreMemoryStore

__all__ = [
    "RESERVED_METADATA_PREFIX",
    "AgentCoreExactNamespaceStoreConfig",
    "AgentCoreMemoryStore",
    "AgentCoreMemoryStoreConfig",
    "AgentCoreSubtreeStoreConfig",
    "ExtractionMode",
    "MetadataProvider",
    "MetadataValue",
    "resolve_namespace",
    "slugify_namespace",
]
