"""An embedded, SQLite-backed server that speaks the AgentCore Memory wire protocol.

Point the unmodified boto3 ``bedrock-agentcore`` and ``bedrock-agentcore-control`` clients at it
with ``endpoint_url`` (or ``AWS_ENDPOINT_URL_BEDROCK_AGENTCORE`` /
``AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL``) and dummy credentials.

Layout: ``backend`` (state and rules: ``memories``, ``events``, ``records`` over ``db``),
``handlers`` (wire shapes and ``validation``), ``routes`` and ``app`` (HTTP), ``faults``
(fault injection and call statistics), ``server`` (ways to run it) and ``console`` (the
memory console page at ``/console``).
"""

from .backend import Backend
from .errors import ApiError
from .faults import CallStats, FaultInjector
from .server import LocalMemoryServer, serve

__all__ = ["ApiError", "Backend", "CallStats", "FaultInjector", "LocalMemoryServer", "serve"]
