"""The clients a data-control run builds when it is given none."""

from __future__ import annotations

from typing import Any

from ...client.boto import make_client
from ...wire.loopback import is_loopback


def data_client(endpoint_url: str | None, region_name: str | None) -> Any:
    """The data-plane client, with the package's default retries (adaptive, 10 attempts)."""
    return make_client(endpoint_url=endpoint_url, region_name=region_name)


def control_client_for(client: Any, endpoint_url: str | None, region_name: str | None) -> Any:
    """The control-plane client that goes with ``client``.

    The local server answers both planes on one address, so a loopback data endpoint is the
    control endpoint too; otherwise botocore picks the control plane's own endpoint (or
    ``AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL``).
    """
    endpoint = endpoint_url
    if endpoint is None and is_loopback(client.meta.endpoint_url):
        endpoint = client.meta.endpoint_url
    return make_client(
        "bedrock-agentcore-control",
        region_name=region_name or client.meta.region_name,
        endpoint_url=endpoint,
    )
