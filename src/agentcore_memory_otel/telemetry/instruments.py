"""The metric instruments, created once per session manager from the given meter provider."""

from __future__ import annotations

from opentelemetry.metrics import MeterProvider, get_meter

from .. import __version__
from . import names

DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MESSAGE_BUCKETS = (1, 2, 3, 4, 5, 10, 20, 50, 100)
SIZE_BUCKETS = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 10485760)


class Instruments:
    """All metric instruments the package records to."""

    def __init__(self, meter_provider: MeterProvider | None) -> None:
        meter = get_meter(names.INSTRUMENTATION_NAME, __version__, meter_provider)
        self.duration = meter.create_histogram(
            names.OPERATION_DURATION,
            unit="s",
            description="Duration of AgentCore Memory API calls, retries included",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.calls = meter.create_counter(
            names.API_CALLS,
            unit="{call}",
            description="AgentCore Memory API calls, by operation and outcome",
        )
        self.retries = meter.create_counter(
            names.API_RETRIES,
            unit="{retry}",
            description="Retried attempts made by botocore inside API calls",
        )
        self.throttles = meter.create_counter(
            names.API_THROTTLES,
            unit="{attempt}",
            description="Attempts answered with ThrottledException (HTTP 429)",
        )
        self.event_messages = meter.create_histogram(
            names.EVENT_MESSAGES,
            unit="{message}",
            description="Messages per CreateEvent",
            explicit_bucket_boundaries_advisory=MESSAGE_BUCKETS,
        )
        self.payload_size = meter.create_histogram(
            names.EVENT_PAYLOAD_SIZE,
            unit="By",
            description="Payload bytes per CreateEvent",
            explicit_bucket_boundaries_advisory=SIZE_BUCKETS,
        )
        self.avoided = meter.create_counter(
            names.CALLS_AVOIDED,
            unit="{call}",
            description="CreateEvent calls a naive session manager would have made, by reason",
        )
        self.buffered = meter.create_up_down_counter(
            names.BUFFERED_MESSAGES, unit="{message}", description="Messages waiting to be written"
        )
        self.invocations = meter.create_counter(
            names.INVOCATIONS,
            unit="{invocation}",
            description="Agent invocations completed with this session manager",
        )
