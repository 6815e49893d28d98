"""Where the console lives, and the template that links a trace id out to a tracing tool."""

from __future__ import annotations

from urllib.parse import urlsplit

CONSOLE_PATH = "/console"
TRACE_ID_PLACEHOLDER = "{traceId}"


def check_trace_url(template: str) -> str:
    """Return ``template`` if it is an http(s) URL holding ``{traceId}``.

    Raises:
        ValueError: it is not; the message says what a valid template looks like.
    """
    example = "for example 'http://localhost:16686/trace/{traceId}'"
    if TRACE_ID_PLACEHOLDER not in template:
        raise ValueError(f"--trace-url must contain {TRACE_ID_PLACEHOLDER}, {example}")
    parts = urlsplit(template.replace(TRACE_ID_PLACEHOLDER, "x"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--trace-url must be an http:// or https:// URL, {example}")
    return template


def console_url(endpoint_url: str) -> str:
    """The console's address on a server answering at ``endpoint_url``."""
    return endpoint_url.rstrip("/") + CONSOLE_PATH
