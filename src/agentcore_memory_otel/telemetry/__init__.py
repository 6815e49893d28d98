"""OpenTelemetry for the session manager: a CLIENT span and metrics for every memory call.

``names`` holds every span, attribute and metric name; ``operations`` is the per-operation
span table; ``instruments`` creates the metric instruments; ``instrumented_api`` wraps
``MemoryApi.call``, the one function every AgentCore Memory call goes through; ``guard`` keeps
a telemetry bug from failing a call; ``sessions`` puts the AgentCore session and actor on the
agent's spans; ``savings`` turns planned events into calls-avoided counts; ``observer`` is
the one object the session layer reports facts to (every method guarded).
"""

from .instrumented_api import InstrumentedMemoryApi
from .observer import WriteTelemetry
from .sessions import apply_session_attributes

__all__ = ["InstrumentedMemoryApi", "WriteTelemetry", "apply_session_attributes"]
