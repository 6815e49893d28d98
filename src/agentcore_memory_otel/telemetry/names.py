"""Every span, attribute, metric and environment-variable name this package emits or reads.

GenAI memory semantic conventions are used where they fit (``gen_ai.*``), the AWS SDK
conventions for the RPC side (``rpc.*``, ``aws.request_id``, ``cloud.region``), and
``agentcore.memory.*`` for what neither covers. ``SPAN_ATTRIBUTES`` is the one table of every
attribute a memory span may carry, with its requirement level; ``METRICS`` the one table of
every metric, with its instrument kind, unit, description and buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
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
RECORD_IDS: Final = "agentcore.memory.record.ids"
RECORD_SCORES: Final = "agentcore.memory.record.scores"

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


class InstrumentKind(Enum):
    """The kinds of metric instrument the package creates."""

    HISTOGRAM = "histogram"
    """Recorded synchronously, with explicit bucket boundaries."""
    COUNTER = "counter"
    """An observable counter reporting a ``Tally`` kept by the package."""
    UP_DOWN_COUNTER = "up_down_counter"
    """An observable up-down counter with a callback of its own."""


# Histogram bucket boundaries: seconds, messages per event, bytes per event
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MESSAGE_BUCKETS = (1, 2, 3, 4, 5, 10, 20, 50, 100)
SIZE_BUCKETS = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 10485760)


@dataclass(frozen=True)
class Metric:
    """One metric the package emits, as its instrument is created.

    Attributes:
        name: The metric name (one of the constants above).
        kind: The instrument created for it.
        unit: The UCUM unit; docs/telemetry.md states it too.
        description: The instrument's description.
        buckets: The explicit bucket boundaries advised for a histogram; ``None`` otherwise.
    """

    name: str
    kind: InstrumentKind
    unit: str
    description: str
    buckets: tuple[float, ...] | None = None


METRICS: Final = (
    Metric(
        OPERATION_DURATION,
        InstrumentKind.HISTOGRAM,
        "s",
        "Duration of AgentCore Memory API calls, retries included",
        DURATION_BUCKETS,
    ),
    Metric(
        API_CALLS,
        InstrumentKind.COUNTER,
        "{call}",
        "AgentCore Memory API calls, by operation and outcome",
    ),
    Metric(
        API_RETRIES,
        InstrumentKind.COUNTER,
        "{retry}",
        "Retried attempts made by botocore inside API calls",
    ),
    Metric(
        API_THROTTLES,
        InstrumentKind.COUNTER,
        "{attempt}",
        "Attempts answered with ThrottledException (HTTP 429)",
    ),
    Metric(
        EVENT_MESSAGES,
        InstrumentKind.HISTOGRAM,
        "{message}",
        "Messages per CreateEvent",
        MESSAGE_BUCKETS,
    ),
    Metric(
        EVENT_PAYLOAD_SIZE,
        InstrumentKind.HISTOGRAM,
        "By",
        "Payload bytes per CreateEvent",
        SIZE_BUCKETS,
    ),
    Metric(
        CALLS_AVOIDED,
        InstrumentKind.COUNTER,
        "{call}",
        "CreateEvent calls a naive session manager would have made, by reason",
    ),
    Metric(
        BUFFERED_MESSAGES,
        InstrumentKind.UP_DOWN_COUNTER,
        "{message}",
        "Messages waiting to be written",
    ),
    Metric(
        INVOCATIONS,
        InstrumentKind.COUNTER,
        "{invocation}",
        "Agent invocations completed with this session manager",
    ),
    Metric(
        WRITE_FAILURES,
        InstrumentKind.COUNTER,
        "{failure}",
        "Write-path failures, by source (metadata_provider, write)",
    ),
    Metric(
        WRITE_LAG,
        InstrumentKind.HISTOGRAM,
        "s",
        "Time from a message added to its write acknowledged, by write mode",
        DURATION_BUCKETS,
    ),
    Metric(
        HOOK_WAIT,
        InstrumentKind.HISTOGRAM,
        "s",
        "Time a hook waited for room in a full background write buffer",
        DURATION_BUCKETS,
    ),
    Metric(
        JOURNAL_REPLAYED,
        InstrumentKind.COUNTER,
        "{message}",
        "Messages re-sent from the local journal by a new session manager",
    ),
)
"""The one table of every metric the package emits; each dashboard must chart every one."""

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
    RECORD_IDS: Requirement.CUSTOM,
    RECORD_SCORES: Requirement.CUSTOM,
}

# write-failure sources
FAILURE_METADATA_PROVIDER: Final = "metadata_provider"
FAILURE_WRITE: Final = "write"
