"""Loopback trust: only this machine's own clients, and never another web page, reach the server.

The server has no credentials to check, so on a developer's machine the one thing between a
web page the developer visits and the stored conversations is the browser's same-origin rule.
Two attacks get around it unless the server checks the request itself:

* **DNS rebinding**: a page on ``attacker.example`` re-points its name at 127.0.0.1 and then
  reads and writes the server as "same origin". Its requests still say ``Host:
  attacker.example``, so every request must name this server in ``Host``: a loopback name
  (``localhost``) or an IP address the connection really arrived on, with the server's port.
  An IP literal cannot be rebound, so it is safe to accept whatever address was connected to.
* **Cross-site request forgery**: a page may send a "simple" cross-origin request (a
  ``text/plain`` or form POST, or a body with no type) without asking the server first. So a
  request that can change anything (every method but GET and HEAD, which is every AWS call that
  writes, and the console's DELETE) is refused when its ``Origin`` (or ``Sec-Fetch-Site``)
  names another origin, or when it carries a body whose type is not JSON. boto3 sends no
  ``Origin`` and ``application/json`` with every body, so it passes unchanged.

A refused request gets 403 ``AccessDeniedException`` with a message saying what to change.
docs/local-server.md documents the rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from ..wire.loopback import ip_address, is_loopback_host
from .console import CONSOLE_PATH
from .errors import AccessDeniedError

# Methods that change nothing: another page cannot read their answers (the same-origin rule,
# with no CORS header ever granted), so only Host is checked for them.
SAFE_METHODS = frozenset({"GET", "HEAD"})
JSON_TYPES = frozenset(
    {"application/json", "application/x-amz-json-1.0", "application/x-amz-json-1.1"}
)
FOREIGN_FETCH_SITES = frozenset({"cross-site", "same-site"})


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``(lower-case host, port or None)`` of a ``Host`` value; ``None`` when malformed."""
    try:
        parts = urlsplit("//" + value)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.path or parts.query:
        return None
    return parts.hostname.rstrip(".").lower(), port


def _is_own_address(host: str, local_address: str | None) -> bool:
    """Whether ``host`` is a loopback name, a loopback IP, or the IP the connection came in on.

    The unspecified address (``0.0.0.0``, ``::``) counts as this machine's: it is the endpoint
    ``serve --host 0.0.0.0`` prints, and as a literal it cannot be rebound. A dual-stack socket
    sees an IPv4 peer as ``::ffff:a.b.c.d``; both sides are compared as IPv4.
    """
    if is_loopback_host(host):
        return True
    address = ip_address(host)
    return address is not None and address == ip_address(local_address)


def host_problem(host_header: str | None, server: tuple[str, int] | None) -> str | None:
    """Why a ``Host`` header does not name this server, or ``None`` when it does.

    Args:
        host_header: The request's ``Host`` value (absent: ``None``).
        server: The local ``(address, port)`` the connection arrived on (ASGI ``server``).
    """
    if not host_header:
        return "the request has no Host header"
    parsed = _split_host(host_header)
    if parsed is None:
        return f"the Host header {host_header!r} is malformed"
    host, port = parsed
    local_address, local_port = server if server else (None, None)
    if not _is_own_address(host, local_address):
        return (
            f"the Host {host_header!r} is not this server: the local server answers only "
            "requests to localhost or an IP address of this machine"
        )
    if local_port is not None and (port if port is not None else 80) != local_port:
        return f"the Host {host_header!r} names another port than this server's {local_port}"
    return None


def origin_problem(headers: dict[str, str], host_header: str) -> str | None:
    """Why a state-changing request may come from another web page, or ``None`` if it cannot."""
    origin = headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        if parts.scheme != "http" or parts.netloc.lower() != host_header.lower():
            return f"requests that change data are refused from another web page (Origin {origin})"
    site = headers.get("sec-fetch-site")
    if site in FOREIGN_FETCH_SITES:
        return f"requests that change data are refused from another web page ({site})"
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    has_body = headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers
    if (has_body or media_type) and media_type not in JSON_TYPES:
        shown = media_type or "none"
        return (
            f"a request body must be sent as Content-Type: application/json (got {shown}), "
            "so that no web page can send it without the browser asking the server first"
        )
    return None


def _decode(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        # A repeated Host/Origin is ambiguous; keep a value that cannot pass the checks.
        headers[key] = "\x00" if key in headers else value.decode("latin-1")
    return headers


class LoopbackGuard:
    """ASGI middleware refusing requests that do not come from this machine's own clients."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = _decode(scope.get("headers") or [])
        host_header = headers.get("host")
        problem = host_problem(host_header, scope.get("server"))
        if problem is None and scope["method"] not in SAFE_METHODS:
            problem = origin_problem(headers, host_header or "")
        if problem is None:
            await self._app(scope, receive, send)
            return
        await _refuse(scope, send, problem)


async def _refuse(scope: Scope, send: Send, problem: str) -> None:
    """Answer 403 in the shape the caller reads: the console's ``error`` or AWS's ``message``."""
    error = AccessDeniedError(f"Refused by the local server: {problem}")
    console = str(scope.get("path", "")).startswith(CONSOLE_PATH + "/api")
    body = json.dumps({"error": error.message} if console else error.body()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-amzn-errortype", error.error_type.encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
