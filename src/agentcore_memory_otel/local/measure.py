"""The server's own measures of a request: its stored size and its digest.

The server computes these itself rather than take the client's functions, so that a test of
the client against the server checks two computations, not one with itself.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def serialised_bytes(value: Any) -> int:
    r"""UTF-8 bytes of ``value`` written as compact JSON, the way the event size limit counts.

    Text is counted as UTF-8, except a surrogate code point (which no UTF-8 text can hold, and
    which JSON carries as an escape): it counts as its six-byte ``\uXXXX`` escape.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8", errors="backslashreplace"))


def digest(value: Any) -> str:
    """A SHA-256 hex digest of ``value`` as canonical JSON: sorted keys, ASCII only.

    Two requests with the same members in any order get the same digest; any other difference
    (a member, a value, a type) gives another. The canonical form is the one earlier versions
    stored, so the request fingerprints in an existing database still match.
    """
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
