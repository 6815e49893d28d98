"""redact_common: what it replaces, the near-misses it leaves alone, and linear running time."""

from __future__ import annotations

import re
import time

import pytest

from agentcore_memory_otel import compose_filters, redact_common
from agentcore_memory_otel.wire import limits
from agentcore_memory_otel.wire.redact import luhn_valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jane.doe+x@example.co.uk now", "mail [EMAIL] now"),
        ("<a.b@sub.example.org>", "<[EMAIL]>"),
        ("call +1 (555) 123-4567", "call [PHONE]"),
        ("call 555-123-4567 or 555.123.4567", "call [PHONE] or [PHONE]"),
        ("(555) 123 4567", "[PHONE]"),
        ("+44 20 7946 0958", "[PHONE]"),
        ("+4915123456789", "[PHONE]"),
        ("card 4111 1111 1111 1111.", "card [CARD]."),
        ("card 4111-1111-1111-1111", "card [CARD]"),
        ("amex 378282246310005", "amex [CARD]"),
        ("mc 5555555555554444", "mc [CARD]"),
        ("key AKIAIOSFODNN7EXAMPLE", "key [AWS_ACCESS_KEY]"),
        ("ASIAIOSFODNN7EXAMPLE", "[AWS_ACCESS_KEY]"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = [AWS_SECRET_KEY]",
        ),
        (
            '"AWS_SECRET_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
            '"AWS_SECRET_KEY": "[AWS_SECRET_KEY]"',
        ),
        ("Authorization: Bearer abcdefghijklmnop1234567890==", "Authorization: Bearer [TOKEN]"),
        (
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n",
            "jwt [TOKEN]",
        ),
        ("ünïcode jane@example.com 😀", "ünïcode [EMAIL] 😀"),
    ],
)
def test_replaces(text: str, expected: str) -> None:
    assert redact_common(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # fails the Luhn check
        "1234567890123456",  # fails the Luhn check
        "order 79927398713",  # passes Luhn, but too short for a card
        "1733380000000",  # a millisecond timestamp (no card prefix)
        "ref 12345678901234567890123",  # a digit run longer than any card
        "on 2024-01-15 at 12:30:45",
        "version 1.2.3, build 10.0.19041.1234",
        "ip 192.168.100.1000 and 10.0.0.1",
        "555-1234",  # too short for a phone number
        "ISBN 978-3-16-148410-0",
        "a@b.c",  # no top-level domain
        "user@localhost",
        "the bearer of bad news",
        "Bearer short",
        "AKIAIOSFODNN7EXAMPL",  # 19 characters
        "XAKIAIOSFODNN7EXAMPLE",  # inside a longer word
        "sha 3f786850e387550fdab836ed7e6dc881de23001b",
        "",
    ],
)
def test_leaves_near_misses_alone(text: str) -> None:
    assert redact_common(text) == text


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_placeholders_are_stable() -> None:
    """Filtering filtered text changes nothing (a restored, re-stored message stays the same)."""
    once = redact_common("jane@example.com +1 555 123 4567 4111111111111111 AKIAIOSFODNN7EXAMPLE")
    assert redact_common(once) == once


def test_compose_filters_applies_in_order() -> None:
    names = compose_filters(redact_common, lambda text: text.replace("Jane Doe", "[NAME]"))
    assert names("Jane Doe <jane@example.com>") == "[NAME] <[EMAIL]>"


HOSTILE_UNITS = ("a", "a.", "a@", "a@b.", "1", "1 ", "1-", "+1", "(555) ", "AKIA", "eyJ", "bearer ")


@pytest.mark.parametrize("unit", HOSTILE_UNITS)
def test_runs_in_linear_time_on_hostile_text(unit: str) -> None:
    """100,000 characters of near-matches take milliseconds, not the seconds a backtracking
    pattern would (a loose bound for a loaded machine; the figures are in the docs)."""
    text = (unit * (limits.TEXT_MAX_CHARS // len(unit) + 1))[: limits.TEXT_MAX_CHARS]
    for tail in ("", "!", "\n"):
        started = time.perf_counter()
        redact_common(text + tail)
        assert time.perf_counter() - started < 1.0, (unit, tail)


def test_every_pattern_is_bounded() -> None:
    """No unbounded repetition inside a repeated group: the shape that backtracks."""
    from agentcore_memory_otel.wire import redact

    patterns = [v for v in vars(redact).values() if isinstance(v, re.Pattern)]
    assert len(patterns) == 7
    for pattern in patterns:
        assert not re.search(r"\)[*+]|\)\{\d+,\}", pattern.pattern), pattern.pattern
