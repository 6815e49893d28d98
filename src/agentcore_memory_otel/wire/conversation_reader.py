"""Reading this package's stored messages back as plain conversation, for extraction.

The local server extracts from conversational text as it is stored, as the service does; the
JSON a session manager stores there is only readable as a conversation through this format's
codec. ``read_strands_message`` is that reading, for a caller (the demo, tests) to hand the
local server as its ``conversation_reader``; the server itself never imports it.
"""

from __future__ import annotations

from .codec import StoredMessage, decode_event


def read_strands_message(role: str, text: str, *, event_id: str) -> tuple[str, str] | None:
    """The role and plain text of one stored conversational item, read as a Strands message.

    A message this package's (or the bedrock-agentcore SDK's) session manager stored gives its
    Strands role upper-cased and its text blocks joined by spaces; other text is read as it is
    under its stored role. Returns None for an item with no text to extract (only tool use or
    results, or JSON the codec skips with its warning naming ``event_id``).
    """
    item = {"conversational": {"role": role, "content": {"text": text}}}
    for stored in decode_event({"eventId": event_id, "payload": [item]}):
        if isinstance(stored, StoredMessage):
            message = stored.session_message.to_message()
            plain = " ".join(block["text"] for block in message["content"] if block.get("text"))
            return (message["role"].upper(), plain) if plain else None
    return None
