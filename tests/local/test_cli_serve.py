"""``agentcore-memory-otel serve`` as a real process, driven by boto3."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from agentcore_memory_otel.cli.main import build_parser

from ..support import free_port, wait_for_port


def test_serve_with_fault_flags(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentcore_memory_otel.cli.main",
            "serve",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "cli.db"),
            "--fail-next",
            "ListActors:1:429",
            "--op-latency",
            "ListSessions=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    try:
        wait_for_port(port, proc)
        options = {
            "endpoint_url": f"http://127.0.0.1:{port}",
            "region_name": "us-east-1",
            "aws_access_key_id": "x",
            "aws_secret_access_key": "x",
        }
        control = boto3.client("bedrock-agentcore-control", **options)
        data = boto3.client("bedrock-agentcore", **options)
        memory_id = control.create_memory(name="cli", eventExpiryDuration=30)["memory"]["id"]
        with pytest.raises(data.exceptions.ThrottledException):
            boto3.client(
                "bedrock-agentcore",
                config=__import__("botocore.config").config.Config(
                    retries={"total_max_attempts": 1}
                ),
                **options,
            ).list_actors(memoryId=memory_id)
        assert data.list_actors(memoryId=memory_id)["actorSummaries"] == []
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0].decode()
    assert f"AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=http://127.0.0.1:{port}" in output
    assert (tmp_path / "cli.db").exists()


def test_serve_binds_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"


@pytest.mark.parametrize("bad", [["--fail-next", ":1"], ["--op-latency", "CreateEvent"]])
def test_serve_rejects_malformed_fault_flags(bad: list[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", *bad])
