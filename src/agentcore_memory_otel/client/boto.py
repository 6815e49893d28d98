"""Building the boto3 ``bedrock-agentcore`` data-plane client the session manager uses."""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.loaders import Loader

from .._version import __version__
from ..wire.loopback import LOCAL_CREDENTIALS, is_loopback

DEFAULT_REGION = "us-east-1"
USER_AGENT = f"agentcore-memory-otel/{__version__} strands-agents"
# Without a user config: retries that ride out a throttling burst at the per-session quota.
# Adaptive mode also slows the client down after a throttle; 10 attempts span several seconds.
DEFAULT_RETRIES = {"mode": "adaptive", "total_max_attempts": 10}


def resolve_region(
    region_name: str | None,
    session: boto3.Session | None = None,
    *,
    defaults: botocore.session.Session | None = None,
) -> str:
    """The region of every client the package builds: the one place it is chosen.

    ``region_name`` if given; else the region of the caller's boto3 ``session``; else
    ``AWS_REGION``; else a default session's (``AWS_DEFAULT_REGION``, the profile's);
    else ``DEFAULT_REGION``. ``defaults`` is the botocore session whose configuration is that
    default session's (a fresh one is made when it is None).
    """
    if region_name:
        return region_name
    if session is not None and session.region_name:
        return str(session.region_name)
    if os.environ.get("AWS_REGION"):
        return os.environ["AWS_REGION"]
    # What boto3.Session().region_name gives, without building a session.
    from_default = (defaults or botocore.session.get_session()).get_config_variable("region")
    return str(from_default) if from_default else DEFAULT_REGION


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
    # Without a caller's session, one fresh botocore session (reading the configuration files
    # costs several milliseconds) answers the default region and then becomes the session.
    core = None if boto_session is not None else botocore.session.get_session()
    region = resolve_region(region_name, boto_session, defaults=core)
    session = boto_session or new_session(region, core=core)
    extra = USER_AGENT
    if boto_client_config is not None and boto_client_config.user_agent_extra:
        extra = f"{boto_client_config.user_agent_extra} {USER_AGENT}"
    config = Config(user_agent_extra=extra)
    if boto_client_config is not None:
        config = boto_client_config.merge(config)
    else:
        config = config.merge(Config(retries=DEFAULT_RETRIES))
    # Looked up once (without credentials, each lookup tries every source, the instance
    # metadata service included), before any client: with a loopback ``endpoint_url`` and
    # none, one client is built instead of two.
    local = LOCAL_CREDENTIALS if session.get_credentials() is None else {}
    if local and is_loopback(endpoint_url):
        return session.client(
            service, region_name=region, config=config, endpoint_url=endpoint_url, **local
        )
    client = session.client(service, region_name=region, config=config, endpoint_url=endpoint_url)
    if local and is_loopback(client.meta.endpoint_url):  # set by the environment
        client = session.client(
            service,
            region_name=region,
            config=config,
            endpoint_url=client.meta.endpoint_url,
            **local,
        )
    return client


def client_or_new(client: Any, endpoint_url: str | None, region_name: str | None) -> Any:
    """``client`` if given; else a data-plane client built from ``endpoint_url``/``region_name``.

    What every public entry point taking ``client=None, endpoint_url=None, region_name=None``
    does with them (``find_events``, ``fork_session``, the data-control runs, the activity
    lookups): the package's default retries apply only to the client built here.
    """
    if client is not None:
        return client
    return make_client(endpoint_url=endpoint_url, region_name=region_name)


def new_session(
    region_name: str | None = None, *, core: botocore.session.Session | None = None
) -> boto3.Session:
    """``boto3.Session(region_name=region_name)``, whose botocore data is read only once.

    Each boto3 session reads botocore's data files again (the endpoints table, the service
    model, ...): about 50 ms on an idle machine, over 250 ms on a busy one, on every session
    manager built without a ``boto_session``. Sessions made here share one loader of that data
    per data path (``AWS_DATA_PATH``), which keeps what it has read. Everything else is the
    session's own, as with ``boto3.Session()``: credentials, profile, region and configuration
    are resolved afresh, so a rotated credentials file or a changed environment is seen by the
    next session. The loader holds only botocore's data files, which botocore never changes
    once read, and its cache is a dict, safe to share between threads (two threads reading the
    same file at once both read it, and one result is kept). What it read (about 10 MB) stays
    for the life of the process; each ``boto3.Session()`` held a copy of its own for as long as
    one of its clients lived. ``core``: a fresh botocore session to build it on (one is made
    when None); it must not have been used for anything else.
    """
    core = core or botocore.session.get_session()
    core.register_component("data_loader", _shared_loader(core.get_config_variable("data_path")))
    return boto3.Session(botocore_session=core, region_name=region_name)


_BOTO3_DATA = os.path.join(os.path.dirname(boto3.__file__), "data")


class _SharedLoader(Loader):  # type: ignore[misc]  # botocore has no type hints
    """A botocore ``Loader`` whose search paths are fixed when it is made.

    ``boto3.Session`` appends its data directory to its loader's search paths: on a shared
    loader that would add one more path per session, so what it appends goes to a copy.
    """

    @property
    def search_paths(self) -> list[str]:
        return list(self._search_paths)


@functools.lru_cache(maxsize=8)
def _shared_loader(data_path: str | None) -> Loader:
    """The loader a boto3 session would make for ``data_path``, one per data path.

    Its search paths are those of botocore's ``create_loader(data_path)`` and then boto3's data
    directory, in the order a boto3 session leaves them.
    """
    extra = [
        os.path.expanduser(os.path.expandvars(path))
        for path in (data_path.split(os.pathsep) if data_path is not None else [])
    ]
    paths = [*extra, Loader.CUSTOMER_DATA_PATH, Loader.BUILTIN_DATA_PATH, _BOTO3_DATA]
    return _SharedLoader(extra_search_paths=paths, include_default_search_paths=False)
