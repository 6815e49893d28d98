"""Building clients without a boto3 session: botocore's data is read once, nothing else is shared.

``client.boto.new_session`` stands in for ``boto3.Session(region_name=...)`` wherever the package
builds a session itself (a session manager, a store or the CLI without ``boto_session``). These
tests hold it to being the same session but for the shared data loader: same search paths,
credentials, region and profile resolved afresh for each session, one loader per data path,
and safe to use from several threads at once.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest

from agentcore_memory_otel.client import boto as aws_client
from agentcore_memory_otel.client.boto import make_client, new_session
from agentcore_memory_otel.local import LocalMemoryServer


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No credentials, region or data path from this machine; files under ``tmp_path``."""
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_DATA_PATH",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE",
    ]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def test_sessions_share_one_loader_with_boto3s_search_paths(no_aws_config: Path) -> None:
    sessions = [new_session() for _ in range(50)]
    loaders = {id(session._loader) for session in sessions}
    assert len(loaders) == 1
    # As boto3 leaves them for a session of its own, and no longer after 50 sessions.
    assert sessions[-1]._loader.search_paths == boto3.Session()._loader.search_paths


def test_each_session_resolves_its_own_credentials_and_region(
    no_aws_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = no_aws_config / "credentials"
    credentials.write_text("[default]\naws_access_key_id = first\naws_secret_access_key = s\n")
    (no_aws_config / "config").write_text(
        "[default]\nregion = eu-west-1\n[profile other]\nregion = ap-south-1\n"
    )
    first = new_session()
    assert first.get_credentials().access_key == "first"
    assert first.region_name == "eu-west-1"
    # A rotated credentials file is seen by the next session, as with boto3.Session().
    credentials.write_text("[default]\naws_access_key_id = second\naws_secret_access_key = s\n")
    assert new_session().get_credentials().access_key == "second"
    assert new_session("us-west-2").region_name == "us-west-2"
    monkeypatch.setenv("AWS_PROFILE", "other")
    assert new_session().region_name == "ap-south-1"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    assert new_session().get_credentials().access_key == "from-env"


def test_each_data_path_has_its_own_loader(
    no_aws_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = new_session()._loader
    models = no_aws_config / "models"
    monkeypatch.setenv("AWS_DATA_PATH", str(models))
    custom = new_session()._loader
    assert custom is not default
    assert custom.search_paths == boto3.Session()._loader.search_paths
    assert custom.search_paths[0] == str(models)
    assert new_session()._loader is custom
    # Several paths, with ~ and variables, expand as botocore expands them.
    monkeypatch.setenv("MODELS_HOME", str(no_aws_config))
    monkeypatch.setenv("AWS_DATA_PATH", os.pathsep.join(["~/models", "$MODELS_HOME/more"]))
    expanded = new_session()._loader.search_paths
    assert expanded == boto3.Session()._loader.search_paths
    assert expanded[:2] == [os.path.expanduser("~/models"), str(no_aws_config / "more")]


def test_clients_built_at_once_from_many_threads_all_work(
    no_aws_config: Path, server: LocalMemoryServer, memory_id: str
) -> None:
    aws_client._shared_loader.cache_clear()  # every thread finds the loader empty
    start = threading.Barrier(8)
    answers: list[Any] = []
    failures: list[BaseException] = []

    def build_and_call() -> None:
        try:
            start.wait()
            built = make_client(endpoint_url=server.endpoint_url)
            page = built.list_events(
                memoryId=memory_id, actorId="a", sessionId="s", includePayloads=True
            )
            answers.append(page["events"])
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)

    threads = [threading.Thread(target=build_and_call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and answers == [[]] * 8


def test_without_credentials_a_loopback_endpoint_gets_the_local_ones(
    no_aws_config: Path, server: LocalMemoryServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = make_client(endpoint_url=server.endpoint_url)
    assert given._request_signer._credentials.access_key == "local"
    # The endpoint from the environment instead of the argument: the same.
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    from_env = make_client()
    assert from_env.meta.endpoint_url == server.endpoint_url
    assert from_env._request_signer._credentials.access_key == "local"
    # Elsewhere, no credentials are made up.
    remote = make_client(endpoint_url="https://bedrock-agentcore.us-east-1.amazonaws.com")
    assert remote._request_signer._credentials is None


@pytest.mark.parametrize("setup", ["missing profile", "malformed config"])
def test_a_broken_configuration_fails_as_boto3s_own_session_does(
    setup: str, no_aws_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if setup == "missing profile":
        monkeypatch.setenv("AWS_PROFILE", "nowhere")
    else:
        (no_aws_config / "config").write_text("[default\nregion = eu-west-1\n")
    with pytest.raises(Exception) as theirs:
        boto3.Session()
    with pytest.raises(type(theirs.value)) as ours:
        new_session()
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(type(theirs.value)):
        make_client(endpoint_url="http://127.0.0.1:9")
