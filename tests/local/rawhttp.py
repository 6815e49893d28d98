"""Raw HTTP to the local server, for requests boto3 would refuse to send (or sends differently)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, headers (lower-cased names) and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


def send(
    endpoint_url: str,
    method: str,
    path: str,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    *,
    connection: http.client.HTTPConnection | None = None,
) -> Answer:
    """Send one request (on ``connection`` if given, else a new one) and read the whole answer.

    Headers default to what boto3 sends with a JSON body; any given header replaces its default,
    and a header given as ``""`` is left out (``Host`` included).
    """
    parts = urlsplit(endpoint_url)
    conn = connection or http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    payload = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    sent = {"Content-Type": "application/json"} if payload else {}
    sent.update(headers or {})
    try:
        conn.putrequest(method, path, skip_host="Host" in sent, skip_accept_encoding=True)
        for name, value in sent.items():
            if value:
                conn.putheader(name, value)
        if payload:
            conn.putheader("Content-Length", str(len(payload)))
        conn.endheaders(payload)
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        if connection is None:
            conn.close()
