"""OpenTelemetry for the session manager: a CLIENT span and metrics for every memory call.

``names`` holds every span, attribute and metric name; ``instruments`` creates the metric
instruments; ``instrumented_api`` wraps ``MemoryApi.call``, the one function every AgentCore
Memory call goes through; ``savings`` turns planned events into calls-avoided counts.
"""

from .instrumented_api import InstrumentedMemoryApi

__all__ = ["InstrumentedMemoryApi"]
