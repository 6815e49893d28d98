"""An embedded, SQLite-backed server that speaks the AgentCore Memory wire protocol.

Point the unmodified boto3 ``bedrock-agentcore`` and ``bedrock-agentcore-control`` clients at it
with ``endpoint_url`` (or ``AWS_ENDPOINT_URL_BEDROCK_AGENTCORE`` /
``AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL``) and dummy credentials.

Layout: ``backend`` (state and rules: ``memories``, ``events``, ``traces``, ``records`` over
``db``, and ``extraction``, which reads the conversation as stored or through an injected
``conversation.ConversationReader``), ``operations`` (the table of handlers, registered by the
``handlers`` package), ``model`` (botocore's service models), ``shapes`` (validation from the
model) and ``validation``, ``routes`` and ``app`` (HTTP, routes derived from the model; the one
place faults are applied), ``faults`` (fault injection and call statistics), ``server`` (ways
to run it) and ``console`` (the memory console page at ``/console``).
"""

from .backend import Backend
from .conversation import ConversationReader
from .errors import ApiError
from .extractors import Extractor, ModelExtractor, RuleBasedExtractor
from .faults import CallStats, FaultInjector
from .server import LocalMemoryServer, serve

__all__ = [
    "ApiError",
    "Backend",
    "CallStats",
    "ConversationReader",
    "Extractor",
    "FaultInjector",
    "LocalMemoryServer",
    "ModelExtractor",
    "RuleBasedExtractor",
    "serve",
]
