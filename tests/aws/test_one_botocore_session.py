"""A client built without a caller's session reads the configuration files once, not twice."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from agentcore_memory_otel.client import boto


@pytest.fixture
def sessions_made(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    made: list[Any] = []
    real = botocore.session.get_session

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(botocore.session, "get_session", counting)
    return made


def test_the_default_region_and_the_session_come_from_one_botocore_session(
    sessions_made: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    client = boto.make_client(endpoint_url="http://127.0.0.1:9")
    assert client.meta.region_name == "eu-west-3"
    assert len(sessions_made) == 1


def test_aws_region_still_comes_before_the_default_sessions_region(
    sessions_made: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    client = boto.make_client(endpoint_url="http://127.0.0.1:9")
    assert client.meta.region_name == "ap-south-1"
    assert len(sessions_made) == 1
