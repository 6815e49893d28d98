"""The control-plane client a data-control run builds when it is given none.

(Its data-plane client is ``client.boto.client_or_new``'s, as every entry point's.)
"""

from __future__ import annotations

from typing import Any

from ...client.boto import make_client
from ...wire.loopback import is_loopback


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
