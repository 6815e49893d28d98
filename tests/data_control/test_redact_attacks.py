"""redact_common on personal data as it arrives pasted: no-break spaces, other scripts' digits."""

from __future__ import annotations

import json

import pytest

from agentcore_memory_otel import redact_common


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111\u00a01111\u00a01111\u00a01111", "card [CARD]"),  # no-break spaces
        ("card 4111\u202f1111\u202f1111\u202f1111", "card [CARD]"),  # narrow no-break spaces
        ("card \uff14" + "\uff11" * 15, "card [CARD]"),  # full-width digits
        ("\u0664" + "\u0661" * 15, "[CARD]"),  # Arabic-Indic digits
        ("call +44\u00a020\u00a07946\u00a00958", "call [PHONE]"),
        ("call 555\u00a0123\u00a04567", "call [PHONE]"),
        ("call \uff15\uff15\uff15-\uff11\uff12\uff13-\uff14\uff15\uff16\uff17", "call [PHONE]"),
    ],
)
def test_pasted_digits_are_replaced(text: str, expected: str) -> None:
    assert redact_common(text) == expected


@pytest.mark.parametrize(
    "text",
    ["\uff14\uff11\uff11\uff11" + "\uff11" * 11 + "\uff12", "1733380000000\u00a0"],
)
def test_pasted_near_misses_stay(text: str) -> None:
    assert redact_common(text) == text


def test_temporary_credentials_in_a_tool_result_lose_every_secret() -> None:
    """An STS answer (assume_role, get_session_token) as a tool returns it: the access key id
    was replaced while the secret key and session token, the parts that sign, were stored."""
    answer = {
        "Credentials": {
            "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",
            "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "SessionToken": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+ab==",
        }
    }
    assert json.loads(redact_common(json.dumps(answer))) == {
        "Credentials": {
            "AccessKeyId": "[AWS_ACCESS_KEY]",
            "SecretAccessKey": "[AWS_SECRET_KEY]",
            "SessionToken": "[TOKEN]",
        }
    }
    env = "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD"
    assert redact_common(env) == "AWS_SESSION_TOKEN=[TOKEN]"
    assert redact_common("the session token expired") == "the session token expired"
