"""Every span, attribute, metric and environment-variable name this package emits or reads.

GenAI memory semantic conventions are used where they fit (``gen_ai.*``), the AWS SDK
conventions for the RPC side (``rpc.*``, ``aws.request_id``, ``cloud.region``), and
``agentcore.memory.*`` for what neither covers. ``SPAN_ATTRIBUTES`` is the one table of every
attribute a memory span may carry, with its requirement level.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

INSTRUMENTATION_NAME: Final = "agentcore_memory_otel"

# Environment
CAPTURE_CONTENT_ENV: Final = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"

# GenAI semantic conventions
GEN_AI_OPERATION_NAME: Final = "gen_ai.operation.name"
GEN_AI_PROVIDER_NAME: Final = "gen_ai.provider.name"
GEN_AI_MEMORY_STORE_ID: Final = "gen_ai.memory.store.id"
GEN_AI_MEMORY_RECORD_ID: Final = "gen_ai.memory.record.id"
GEN_AI_MEMORY_RECORD_COUNT: Final = "gen_ai.memory.record.count"
GEN_AI_MEMORY_QUERY_TEXT: Final = "gen_ai.memory.query.text"
GEN_AI_MEMORY_RECORDS: Final = "gen_ai.memory.records"
GEN_AI_CONVERSATION_ID: Final = "gen_ai.conversation.id"
# The registered provider value: AgentCore is part of Amazon Bedrock, and the registry has no
# value of its own for it (the service is in rpc.service).
PROVIDER: Final = "aws.bedrock"

# General attributes read by Langfuse and Phoenix to group traces (set on the agent's spans)
SESSION_ID: Final = "session.id"
USER_ID: Final = "user.id"

# AWS SDK and general conventions
RPC_SYSTEM: Final = "rpc.system"
RPC_SERVICE: Final = "rpc.service"
RPC_METHOD: Final = "rpc.method"
AWS_REQUEST_ID: Final = "aws.request_id"
CLOUD_REGION: Final = "cloud.region"
SERVER_ADDRESS: Final = "server.address"
SERVER_PORT: Final = "server.port"
ERROR_TYPE: Final = "error.type"
RPC_SYSTEM_AWS: Final = "aws-api"
RPC_SERVICE_AGENTCORE: Final = "Bedrock AgentCore"

# Ours
ACTOR_ID: Final = "agentcore.memory.actor.id"
EVENT_IDS: Final = "agentcore.memory.event.ids"
MESSAGE_COUNT: Final = "agentcore.memory.event.message_count"
PAYLOAD_ITEMS: Final = "agentcore.memory.event.payload_items"
PAYLOAD_BYTES: Final = "agentcore.memory.event.payload_bytes"
AGENT_STATE_INCLUDED: Final = "agentcore.memory.event.agent_state_included"
SESSION_RECORD_INCLUDED: Final = "agentcore.memory.event.session_record_included"
RETRY_COUNT: Final = "agentcore.memory.retry_count"
NEXT_PAGE: Final = "agentcore.memory.has_next_page"
NAMESPACE: Final = "agentcore.memory.namespace"
LOOKUP_CALLS: Final = "agentcore.memory.lookup.calls"
LOOKUP_SESSIONS_SEARCHED: Final = "agentcore.memory.lookup.sessions_searched"

# Metric attributes (low cardinality only)
OPERATION: Final = "agentcore.memory.operation"
OUTCOME: Final = "agentcore.memory.outcome"
REASON: Final = "agentcore.memory.avoided.reason"
FAILURE_SOURCE: Final = "agentcore.memory.failure.source"
WRITE_MODE: Final = "agentcore.memory.write_mode"

# Metrics
OPERATION_DURATION: Final = "agentcore_memory.operation.duration"
API_CALLS: Final = "agentcore_memory.api.calls"
API_RETRIES: Final = "agentcore_memory.api.retries"
API_THROTTLES: Final = "agentcore_memory.api.throttles"
EVENT_MESSAGES: Final = "agentcore_memory.event.messages"
EVENT_PAYLOAD_SIZE: Final = "agentcore_memory.event.payload.size"
CALLS_AVOIDED: Final = "agentcore_memory.calls.avoided"
BUFFERED_MESSAGES: Final = "agentcore_memory.buffered.messages"
INVOCATIONS: Final = "agentcore_memory.agent.invocations"
WRITE_FAILURES: Final = "agentcore_memory.write.failures"
WRITE_LAG: Final = "agentcore_memory.write.lag"
HOOK_WAIT: Final = "agentcore_memory.write.hook_wait"
JOURNAL_REPLAYED: Final = "agentcore_memory.journal.replayed"
METRICS: Final = (
    OPERATION_DURATION,
    API_CALLS,
    API_RETRIES,
    API_THROTTLES,
    EVENT_MESSAGES,
    EVENT_PAYLOAD_SIZE,
    CALLS_AVOIDED,
    BUFFERED_MESSAGES,
    INVOCATIONS,
    WRITE_FAILURES,
    WRITE_LAG,
    HOOK_WAIT,
    JOURNAL_REPLAYED,
)
"""Every metric the package emits; each dashboard must chart every one."""

# calls-avoided reasons
BATCHING: Final = "batching"
STATE_UNCHANGED: Final = "state_unchanged"
STATE_PIGGYBACKED: Final = "state_piggybacked"
DEFERRED_SESSION_CREATION: Final = "deferred_session_creation"


class Requirement(str, Enum):
    """Requirement levels of the semantic conventions, plus ``CUSTOM`` for our own names."""

    REQUIRED = "required"
    CONDITIONALLY_REQUIRED = "conditionally_required"
    RECOMMENDED = "recommended"
    OPT_IN = "opt_in"
    CUSTOM = "custom"


# Every attribute a memory span may carry, with its level in the GenAI memory span
# (gen_ai.memory.client) or AWS SDK conventions; docs/telemetry.md documents each one.
SPAN_ATTRIBUTES: Final[dict[str, Requirement]] = {
    GEN_AI_OPERATION_NAME: Requirement.REQUIRED,
    GEN_AI_PROVIDER_NAME: Requirement.CONDITIONALLY_REQUIRED,
    GEN_AI_MEMORY_STORE_ID: Requirement.CONDITIONALLY_REQUIRED,
    GEN_AI_MEMORY_RECORD_ID: Requirement.CONDITIONALLY_REQUIRED,
    GEN_AI_MEMORY_RECORD_COUNT: Requirement.RECOMMENDED,
    GEN_AI_MEMORY_QUERY_TEXT: Requirement.OPT_IN,
    GEN_AI_MEMORY_RECORDS: Requirement.OPT_IN,
    GEN_AI_CONVERSATION_ID: Requirement.CONDITIONALLY_REQUIRED,
    SERVER_ADDRESS: Requirement.RECOMMENDED,
    SERVER_PORT: Requirement.CONDITIONALLY_REQUIRED,
    ERROR_TYPE: Requirement.CONDITIONALLY_REQUIRED,
    RPC_SYSTEM: Requirement.REQUIRED,
    RPC_SERVICE: Requirement.RECOMMENDED,
    RPC_METHOD: Requirement.RECOMMENDED,
    AWS_REQUEST_ID: Requirement.RECOMMENDED,
    CLOUD_REGION: Requirement.RECOMMENDED,
    ACTOR_ID: Requirement.CUSTOM,
    EVENT_IDS: Requirement.CUSTOM,
    MESSAGE_COUNT: Requirement.CUSTOM,
    PAYLOAD_ITEMS: Requirement.CUSTOM,
    PAYLOAD_BYTES: Requirement.CUSTOM,
    AGENT_STATE_INCLUDED: Requirement.CUSTOM,
    SESSION_RECORD_INCLUDED: Requirement.CUSTOM,
    RETRY_COUNT: Requirement.CUSTOM,
    NEXT_PAGE: Requirement.CUSTOM,
    NAMESPACE: Requirement.CUSTOM,
    LOOKUP_CALLS: Requirement.CUSTOM,
    LOOKUP_SESSIONS_SEARCHED: Requirement.CUSTOM,
}

# write-failure sources
FAILURE_METADATA_PROVIDER: Final = "metadata_provider"
FAILURE_WRITE: Final = "write"
