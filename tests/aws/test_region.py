"""One rule picks the region of every client the package builds (client/boto.py resolve_region)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from agentcore_memory_otel.client.boto import make_client, resolve_region
from agentcore_memory_otel.memory_store.store import memory_api


@pytest.fixture(autouse=True)
def _no_region_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")


def test_a_session_with_a_region_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    session = boto3.Session(region_name="ap-south-1")
    assert resolve_region(None, session) == "ap-south-1"
    assert resolve_region("sa-east-1", session) == "sa-east-1"
    assert make_client(boto_session=session).meta.region_name == "ap-south-1"


def test_a_session_without_a_region_falls_back_like_no_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert resolve_region(None, boto3.Session()) == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert resolve_region(None, None) == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert resolve_region(None, None) == "eu-west-1"  # AWS_REGION first, as the AWS CLI reads it
    # A session given by the caller carries its own region (here from AWS_DEFAULT_REGION).
    assert resolve_region(None, boto3.Session()) == "eu-central-1"


@pytest.mark.parametrize(
    "env", [{}, {"AWS_REGION": "eu-west-1"}, {"AWS_DEFAULT_REGION": "ca-central-1"}]
)
def test_the_memory_store_and_the_session_manager_pick_the_same_region(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    store_api = memory_api(None, None, None, "http://127.0.0.1:9", None, None, None)
    manager_client = make_client(endpoint_url="http://127.0.0.1:9")
    assert store_api.client.meta.region_name == manager_client.meta.region_name
    assert manager_client.meta.region_name == resolve_region(None)


_PROFILES = "[default]\nregion = eu-north-1\n[profile p]\nregion = ap-east-1\n[profile bare]\n"


@pytest.mark.parametrize("aws_region", [None, "eu-west-1"])
@pytest.mark.parametrize("default_region", [None, "eu-central-1"])
@pytest.mark.parametrize("profile", [None, "p", "bare"])
@pytest.mark.parametrize("session_region", ["no session", None, "sa-east-1"])
def test_every_combination_of_region_sources_follows_the_one_rule(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    aws_region: str | None,
    default_region: str | None,
    profile: str | None,
    session_region: str | None,
) -> None:
    """A caller's session's region, else AWS_REGION, else what boto3.Session() gives."""
    (tmp_path / "config").write_text(_PROFILES)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    for name, value in [
        ("AWS_REGION", aws_region),
        ("AWS_DEFAULT_REGION", default_region),
        ("AWS_PROFILE", profile),
    ]:
        if value is not None:
            monkeypatch.setenv(name, value)
    session = None if session_region == "no session" else boto3.Session(region_name=session_region)
    if session is not None and session.region_name:
        expected = session.region_name
    else:
        expected = aws_region or boto3.Session().region_name or "us-east-1"
    built = make_client(boto_session=session, endpoint_url="http://127.0.0.1:9")
    assert built.meta.region_name == expected
