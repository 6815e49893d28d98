"""Whether an address is this machine, and the credentials boto3 signs with for the local server.

Facts both sides need: the client (to sign for the local server without AWS credentials) and
the local server (to trust loopback callers only), with nothing else of either.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

# The local server does not check signatures; boto3 still needs something to sign with.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


def ip_address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``text`` names (an IPv4-mapped IPv6 address as its IPv4), else ``None``."""
    try:
        address = ipaddress.ip_address(text or "")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_loopback_host(host: str) -> bool:
    """Whether a host name or IP literal reaches this machine wherever it is used.

    ``localhost``, a loopback address, or the unspecified address (``0.0.0.0``, ``::``: what
    ``serve --host 0.0.0.0`` prints as its endpoint, and connecting to it reaches this machine).
    A name that only starts like one (``127.example.com``) is not.
    """
    if host.rstrip(".").lower() == "localhost":
        return True
    address = ip_address(host)
    return address is not None and (address.is_loopback or address.is_unspecified)


def is_loopback(url: str | None) -> bool:
    """Whether ``url`` points at this machine (the local server)."""
    return is_loopback_host(urlparse(url or "").hostname or "")
