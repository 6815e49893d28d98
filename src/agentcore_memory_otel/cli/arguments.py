"""Argument checks for the command line, run by argparse before any command starts.

Each check returns the parsed value or raises ``argparse.ArgumentTypeError`` with one line
that says what is wrong and what is accepted; argparse prefixes the option's name.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from ..wire import limits

FAIL_SPEC = "OPERATION[:COUNT[:STATUS]]"
SERVE_PORT = 8765
"""Where `agentcore-memory-otel serve` listens unless told otherwise."""


def operation(text: str) -> str:
    """An AgentCore Memory operation name, exactly as the API spells it (and the server serves)."""
    try:
        from ..local.model import memory_operations
    except ImportError:  # without the [local] extra, `serve` itself says what to install
        return text
    known = sorted(memory_operations())
    if text in known:
        return text
    close = difflib.get_close_matches(text, known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise argparse.ArgumentTypeError(
        f"unknown operation {text!r}; {hint}valid operations: {', '.join(known)}"
    )


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """A check for a whole number from ``low`` (to ``high``, when given)."""
    span = f"from {low} to {high}" if high is not None else f"of at least {low}"

    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected a whole number {span}, got {text!r}")
        return value

    return check


def number(low: float, *, inclusive: bool = True) -> Callable[[str], float]:
    """A check for a number at least (or, not inclusive, above) ``low``."""
    bound = f"{'at least' if inclusive else 'above'} {low:g}"

    def check(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or value != value or value < low or (not inclusive and value == low):
            raise argparse.ArgumentTypeError(f"expected a number {bound}, got {text!r}")
        return value

    return check


PORT = whole_number(1, 65535)
PORT_OR_OFF = whole_number(0, 65535)
BATCH_SIZE = whole_number(1, limits.PAYLOAD_MAX_ITEMS)
MILLISECONDS = number(0)
SECONDS = number(0)


def fail_spec(text: str) -> tuple[str, int, int]:
    """``OPERATION[:COUNT[:STATUS]]`` for ``--fail-next``: COUNT defaults to 1, STATUS to 500."""
    parts = text.split(":")
    if len(parts) > 3 or not parts[0]:
        raise argparse.ArgumentTypeError(
            f"expected {FAIL_SPEC}, e.g. CreateEvent:2:429, got {text!r}"
        )
    name = operation(parts[0])
    count = _part(whole_number(1), parts, 1, "COUNT", 1)
    status = _part(whole_number(100, 599), parts, 2, "STATUS", 500)
    try:
        from ..local.faults import FaultInjector
    except ImportError:  # without the [local] extra, `serve` itself says what to install
        return name, count, status
    try:  # the fault injector knows which statuses it can answer with
        FaultInjector().fail_next(name, count, status=status)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"STATUS {status} in {text!r}: {exc}") from None
    return name, count, status


def _part(
    check: Callable[[str], int], parts: list[str], index: int, what: str, default: int
) -> int:
    if len(parts) <= index:
        return default
    try:
        return check(parts[index])
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(
            f"{what} in {':'.join(parts)!r}: {exc} (format {FAIL_SPEC}, e.g. CreateEvent:2:429)"
        ) from None


def operation_ms(text: str) -> tuple[str, float]:
    """``OPERATION=MS`` for ``--op-latency``."""
    name, separator, ms = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(
            f"expected OPERATION=MS, e.g. CreateEvent=40, got {text!r}"
        )
    return operation(name), MILLISECONDS(ms)


def trace_id(text: str) -> str:
    """A trace id in any form ``normalize_trace_id`` accepts, as 32 lowercase hex digits."""
    from ..wire.trace_stamp import normalize_trace_id  # OpenTelemetry: loaded when needed

    return _checked(normalize_trace_id, text)


def trace_url(text: str) -> str:
    """A trace-link template for the console (``{traceId}`` where the id goes)."""
    from ..local.console.links import check_trace_url

    return _checked(check_trace_url, text)


def _checked(check: Callable[[str], str], text: str) -> str:
    """``check(text)``, its ValueError reported by argparse as the option's problem."""
    try:
        return check(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def memory_id(text: str) -> str:
    """A memory id (``name-`` and 10 letters or digits) or a memory ARN."""
    try:
        return limits.MEMORY_ID.check(text, "memory id")
    except ValueError:
        pass
    # The rule's pattern is unreadable at a prompt; say what a memory id looks like instead.
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a memory id: ids are a name, a dash and 10 letters or digits "
        "(e.g. my_memory-a1B2c3D4e5), or a memory ARN"
    )


def actor_id(text: str) -> str:
    """An actor id as AgentCore Memory accepts it."""
    return _checked(lambda t: limits.ACTOR_ID.check(t, "actor id"), text)


def session_id(text: str) -> str:
    """A session id as AgentCore Memory accepts it."""
    return _checked(lambda t: limits.SESSION_ID.check(t, "session id"), text)


def branch_name(text: str) -> str:
    """A branch name as AgentCore Memory accepts it."""
    return _checked(lambda t: limits.BRANCH_NAME.check(t, "branch name"), text)


def endpoint_url(text: str) -> str:
    """An endpoint URL with its scheme (botocore calls ``127.0.0.1:8765`` "Invalid endpoint")."""
    return _checked(check_endpoint_url, text)


def check_endpoint_url(text: str) -> str:
    """``text`` if it is an http(s) URL botocore can call, else a ValueError that says what to fix.

    botocore's own words for these ("Invalid endpoint", "Port out of range") come late, from
    deep inside a call, and do not say what to change.
    """
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        if "://" not in text:
            raise ValueError(f"{text!r} has no scheme: add http:// (e.g. http://{text})")
        raise ValueError(f"{text!r} is not an endpoint URL: give http://HOST:PORT or https://HOST")
    try:
        port = parsed.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"{text!r}: the port must be a whole number from 1 to 65535")
    host = parsed.hostname or ""
    if not host.isascii():
        raise ValueError(f"{text!r}: the host {host} is not ASCII; give its IDNA form (xn--...)")
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    if not (is_valid_endpoint_url(text) or is_valid_ipv6_endpoint_url(text)):
        raise ValueError(f"{text!r} is not an endpoint URL: give http://HOST:PORT or https://HOST")
    return text


def listen_host(text: str) -> str:
    """A host to listen on; an IPv6 address may come in brackets, as URLs write it."""
    if text.startswith("[") and text.endswith("]"):
        return text[1:-1]
    return text


def database_path(text: str) -> str:
    """A SQLite file whose folder exists (or ``:memory:``)."""
    if text == ":memory:":
        return text
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a directory; give a file name inside it")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(
            f"cannot create {text}: the folder {folder} does not exist; create it or pick "
            "another path"
        )
    return text


def record_id(text: str) -> str:
    """A long-term memory record id (``mem-`` and 36 to 46 more characters)."""
    return _checked(lambda t: limits.MEMORY_RECORD_ID.check(t, "record id"), text)
