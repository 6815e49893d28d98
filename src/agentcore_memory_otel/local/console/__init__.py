"""The memory console: a read-only browser page over the local server's data, at ``/console``.

``page`` serves the page and its static files, ``api`` its JSON endpoints (read straight from
the backend), ``render`` turns stored events into what the page shows, and ``links`` holds the
console's address and the trace-link template check.
"""

from .links import CONSOLE_PATH, check_trace_url, console_url
from .page import console_routes

__all__ = ["CONSOLE_PATH", "check_trace_url", "console_routes", "console_url"]
