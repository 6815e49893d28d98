"""Reading agent records ahead: a restore's scan decodes only the agent records it uses.

A session holds one agent record per change of the agent's state (with a sliding window,
nearly one per event), and a restore uses only the newest of each agent. ``scan_event`` reads
an agent record only as far as its ``agent_id`` (the first member of its JSON) and keeps it as
a ``DeferredAgent``, decoded when a restore asks for it.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from .codec import Stored, StoredAgent, decode_event, decode_items
from .json_text import PayloadItem


@dataclass(frozen=True)
class DeferredAgent:
    """An agent record read only as far as its ``agent_id``, decoded when a restore uses it.

    The records a restore does not use are never decoded (and a malformed one among them is
    never reported).
    """

    agent_id: str
    item: PayloadItem
    event_id: str

    @functools.cached_property
    def decoded(self) -> StoredAgent | None:
        """The record, as ``decode_event`` decodes it; None (with its warning) if it is not one.

        Not one: it does not decode, or it is something else, or of another agent, than its
        first member said (only hostile data can be), so it is ignored rather than misread.
        Decoded once, so a second look neither pays nor warns again.
        """
        decoded = decode_event({"eventId": self.event_id, "payload": [self.item]})
        for stored in decoded:
            if isinstance(stored, StoredAgent) and stored.session_agent.agent_id == self.agent_id:
                return stored
        return None


Scanned = Stored | DeferredAgent
"""What a restore's scan keeps of an item (see ``scan_event``)."""


def scan_event(event: dict[str, Any]) -> list[Scanned]:
    """``decode_event``, except that agent records are deferred (see ``DeferredAgent``)."""
    return decode_items(event, _deferred)


def _deferred(item: Any, event_id: str) -> DeferredAgent | None:
    agent_id = _agent_id_ahead(item)
    return DeferredAgent(agent_id, item, event_id) if agent_id is not None else None


# An agent record's JSON opens with its agent_id, as both this package and the SDK write it
# (``SessionAgent.to_dict()``'s first member), whether spaced or compact.
_AGENT_RECORD_OPENING = re.compile(r'\{\s*"agent_id"\s*:\s*(?=")')
_JSON = json.JSONDecoder()


def _agent_id_ahead(item: Any) -> str | None:
    """The agent_id an agent-record blob opens with, read without decoding the rest."""
    blob = item.get("blob") if isinstance(item, dict) and "conversational" not in item else None
    if not isinstance(blob, str) or (opening := _AGENT_RECORD_OPENING.match(blob)) is None:
        return None
    try:
        agent_id, _ = _JSON.raw_decode(blob, opening.end())
    except ValueError:
        return None
    return agent_id if isinstance(agent_id, str) else None
