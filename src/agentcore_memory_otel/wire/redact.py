"""A built-in ``content_filter``: common secrets and personal data replaced by typed placeholders.

``redact_common`` finds, in this order:

=====================  ============================================================  ============
placeholder            what                                                          check
=====================  ============================================================  ============
``[TOKEN]``            ``Bearer <token>`` (16+ chars), JWTs, AWS session tokens       shape
``[AWS_ACCESS_KEY]``   AWS access key ids (``AKIA``, ``ASIA``, ... + 16)             shape
``[AWS_SECRET_KEY]``   40 characters after ``aws_secret_access_key`` or              context
                       ``SecretAccessKey`` (an STS answer) and ``=`` or ``:``
``[EMAIL]``            e-mail addresses                                              shape
``[CARD]``             13-19 digits (any script), a space or hyphen between, prefix  Luhn
``[PHONE]``            ``+`` and 7-15 digits, or 3-3-4 / 3-4-4 digit groups          shape
=====================  ============================================================  ============

Digits may be of any script (full-width ones too) and spaces no-break ones, as pasted text
has them. It is deliberately narrow: a digit run that fails the Luhn check or has no card
prefix, a date, a version number, a millisecond timestamp or an IP address is left alone.
Every pattern runs in linear time (bounded repetitions, starts anchored by lookbehinds), so
hostile text cannot stall a hook. For names, addresses and other free-form personal data,
combine it with a stronger detector (``compose_filters``; docs/data-control.md shows one).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .content_policy import ContentFilter

TOKEN = "[TOKEN]"
AWS_ACCESS_KEY = "[AWS_ACCESS_KEY]"
AWS_SECRET_KEY = "[AWS_SECRET_KEY]"
EMAIL = "[EMAIL]"
CARD = "[CARD]"
PHONE = "[PHONE]"

_BEARER = re.compile(
    r"(?i)(?<![A-Za-z0-9])(bearer\s{1,8}"
    r"|(?:aws_?)?session_?token[\"']?\s{0,8}[:=]\s{0,8}[\"']?)[A-Za-z0-9._~+/-]{16,}=*"
)
_JWT = re.compile(
    r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
)
_AWS_ACCESS_KEY = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z0-9]{16}(?![A-Z0-9])"
)
_AWS_SECRET_KEY = re.compile(
    r"(?i)((?:aws_?secret_?(?:access_?)?|secret_?access_?)key[\"']?\s{0,8}[:=]\s{0,8}[\"']?)"
    r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9-])"
)
_SPACES = "\u00a0\u2007\u202f"
"""No-break spaces: text pasted from web pages, PDFs and phones groups digits with them."""
_CARD = re.compile(rf"(?<![\w.-])\d(?:[ {_SPACES}-]?\d){{12,18}}(?![\w-]|\.\d)")
_PHONE = re.compile(
    rf"(?<![\w+])\+\d(?:[ .(){_SPACES}-]{{0,2}}\d){{6,14}}(?![\w])"
    rf"|(?<![\w.+-])(?:\(\d{{3}}\)\s?|\d{{3}}[ .{_SPACES}-])\d{{3,4}}[ .{_SPACES}-]\d{{4}}"
    r"(?![\w-]|\.\d)"
)

_CARD_LENGTHS = {"3": range(14, 17), "4": (13, 16, 19), "5": (16,), "6": range(16, 20)}
"""Card lengths by first digit: Amex/Diners/JCB, Visa, Mastercard, Discover/UnionPay."""


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    # Any script's digits (full-width ones from a Japanese keyboard): \d matched them.
    digits = "".join(str(int(char)) for char in match.group() if char.isdecimal())
    lengths = _CARD_LENGTHS.get(digits[0], ())
    return CARD if len(digits) in lengths and luhn_valid(digits) else match.group()


def redact_common(text: str) -> str:
    """``text`` with the secrets and personal data in the module's table replaced."""
    text = _BEARER.sub(lambda m: m.group(1) + TOKEN, text)
    text = _JWT.sub(TOKEN, text)
    text = _AWS_ACCESS_KEY.sub(AWS_ACCESS_KEY, text)
    text = _AWS_SECRET_KEY.sub(lambda m: m.group(1) + AWS_SECRET_KEY, text)
    text = _EMAIL.sub(EMAIL, text)
    text = _CARD.sub(_card, text)
    return _PHONE.sub(PHONE, text)


def compose_filters(*filters: Callable[[str], str]) -> ContentFilter:
    """One filter applying ``filters`` in order (e.g. ``redact_common``, then your detector)."""

    def composed(text: str) -> str:
        for content_filter in filters:
            text = content_filter(text)
        return text

    return composed
