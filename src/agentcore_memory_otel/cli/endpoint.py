"""The data-plane client the commands reading or writing a memory use, and its endpoint check."""

from __future__ import annotations

import argparse
import os
from typing import Any

from . import arguments
from .errors import CliError, no_credentials


def data_client(args: argparse.Namespace) -> Any:
    """The data-plane client, checked for credentials; it gives up on a dead endpoint quickly."""
    import boto3
    from botocore.config import Config

    from ..client.boto import make_client
    from ..wire.loopback import is_loopback

    check_environment_endpoint()
    client = make_client(
        region_name=args.region,
        endpoint_url=args.endpoint_url,
        boto_client_config=Config(
            connect_timeout=5, retries={"mode": "standard", "total_max_attempts": 2}
        ),
    )
    if not is_loopback(client.meta.endpoint_url) and boto3.Session().get_credentials() is None:
        raise no_credentials(f"reading events from {client.meta.endpoint_url}")
    return client


_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "AWS_ENDPOINT_URL")
"""Where botocore finds the data plane's endpoint when none is passed, first match first."""


def check_environment_endpoint() -> None:
    """The endpoint botocore would take from the environment, checked as --endpoint-url is."""
    for name in _ENDPOINT_VARIABLES:
        if value := os.environ.get(name):
            try:
                arguments.check_endpoint_url(value)
            except ValueError as exc:
                raise CliError(f"{name}: {exc}") from None
            return
