"""Building the boto3 ``bedrock-agentcore`` data-plane client the session manager uses."""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

from .._version import __version__
from .loopback import LOCAL_CREDENTIALS, is_loopback

DEFAULT_REGION = "us-east-1"
USER_AGENT = f"agentcore-memory-otel/{__version__} strands-agents"
# Without a user config: retries that ride out a throttling burst at the per-session quota.
# Adaptive mode also slows the client down after a throttle; 10 attempts span several seconds.
DEFAULT_RETRIES = {"mode": "adaptive", "total_max_attempts": 10}


def resolve_region(region_name: str | None, session: boto3.Session | None = None) -> str:
    """The region of every client the package builds: the one place it is chosen.

    ``region_name`` if given; else the region of the caller's boto3 ``session``; else
    ``AWS_REGION``; else a default session's (``AWS_DEFAULT_REGION``, the profile's);
    else ``DEFAULT_REGION``.
    """
    if region_name:
        return region_name
    if session is not None and session.region_name:
        return str(session.region_name)
    from_default = boto3.Session().region_name
    return os.environ.get("AWS_REGION") or from_default or DEFAULT_REGION


def make_client(
    service: str = "bedrock-agentcore",
    *,
    region_name: str | None = None,
    boto_session: boto3.Session | None = None,
    boto_client_config: Config | None = None,
    endpoint_url: str | None = None,
) -> Any:
    """A ``bedrock-agentcore`` (or ``bedrock-agentcore-control``) client.

    ``endpoint_url``, or the ``AWS_ENDPOINT_URL_BEDROCK_AGENTCORE*`` variables, pick the
    endpoint; ``resolve_region`` the region.

    When the endpoint is on loopback and no AWS credentials are configured, dummy
    credentials are used, since the local server does not check signatures. Without a
    ``boto_client_config``, retries are adaptive with 10 attempts; a user-supplied config
    keeps its own retry settings (botocore's default: legacy mode, 5 attempts).
    """
    region = resolve_region(region_name, boto_session)
    session = boto_session or boto3.Session(region_name=region)
    extra = USER_AGENT
    if boto_client_config is not None and boto_client_config.user_agent_extra:
        extra = f"{boto_client_config.user_agent_extra} {USER_AGENT}"
    config = Config(user_agent_extra=extra)
    if boto_client_config is not None:
        config = boto_client_config.merge(config)
    else:
        config = config.merge(Config(retries=DEFAULT_RETRIES))
    client = session.client(service, region_name=region, config=config, endpoint_url=endpoint_url)
    if session.get_credentials() is None and is_loopback(client.meta.endpoint_url):
        client = session.client(
            service,
            region_name=region,
            config=config,
            endpoint_url=client.meta.endpoint_url,
            **LOCAL_CREDENTIALS,
        )
    return client
