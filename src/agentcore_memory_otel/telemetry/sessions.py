"""Session and user attributes on agents' spans, so tracing tools group a conversation's traces."""

from __future__ import annotations

from typing import Any

from . import names
from .guard import safely


def apply_session_attributes(target: Any, *, session_id: str, actor_id: str) -> None:
    """Set ``session.id`` and ``user.id`` in ``target.trace_attributes``, unless already set.

    Strands copies an agent's (or a graph's or swarm's) ``trace_attributes`` onto the spans it
    starts, so setting them before the first invocation puts the AgentCore session and actor
    on every ``invoke_agent`` (or multi-agent) trace. Langfuse and Phoenix group traces into
    sessions and users by these two attributes. Values the user set are kept.

    Args:
        target: A Strands ``Agent``, ``Graph`` or ``Swarm`` (anything with a
            ``trace_attributes`` dict); anything else is left alone.
        session_id: The AgentCore session id.
        actor_id: The AgentCore actor id.
    """

    def apply() -> None:
        attributes = getattr(target, "trace_attributes", None)
        if isinstance(attributes, dict):
            attributes.setdefault(names.SESSION_ID, session_id)
            attributes.setdefault(names.USER_ID, actor_id)

    safely("session attributes", apply)
