"""The serve command: the embedded AgentCore Memory server, in the foreground."""

from __future__ import annotations

import argparse
import errno
import socket
import sys

from . import arguments
from .errors import CliError, ExitStatus

DEFAULT_DB = "agentcore-memory.db"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The serve subcommand and its fault-injection options."""
    serve = subparsers.add_parser(
        "serve",
        help="run the local AgentCore Memory server in the foreground",
        description="Run the embedded AgentCore Memory server (data plane and memory control "
        "plane). Point boto3 at it with endpoint_url or AWS_ENDPOINT_URL_BEDROCK_AGENTCORE.",
    )
    serve.add_argument(
        "--host",
        type=arguments.listen_host,
        default="127.0.0.1",
        help="address to bind (default: loopback; 0.0.0.0 or :: for every interface)",
    )
    serve.add_argument(
        "--port",
        type=arguments.PORT,
        default=arguments.SERVE_PORT,
        help="port (default: %(default)s)",
    )
    serve.add_argument(
        "--db",
        type=arguments.database_path,
        default=DEFAULT_DB,
        help="SQLite file (default: %(default)s); ':memory:' keeps nothing after exit",
    )
    serve.add_argument("--region", default="us-east-1", help="region used in memory ARNs")
    serve.add_argument(
        "--conversation",
        choices=("strands", "stored"),
        default="strands",
        help="how long-term extraction reads conversational text: 'strands' (default) reads "
        "the Strands message JSON a session manager stores as the message's role and words; "
        "'stored' reads the text as stored, as the service does",
    )
    serve.add_argument(
        "--trace-url",
        type=arguments.trace_url,
        metavar="TEMPLATE",
        help="link each trace id in the console to your tracing tool, e.g. "
        "'http://localhost:16686/trace/{traceId}'",
    )
    faults = serve.add_argument_group("fault and latency injection")
    faults.add_argument(
        "--latency-ms",
        type=arguments.MILLISECONDS,
        default=0.0,
        help="added latency for every operation, in milliseconds",
    )
    faults.add_argument(
        "--op-latency",
        type=arguments.operation_ms,
        action="append",
        default=[],
        metavar="OPERATION=MS",
        help="added latency for one operation, e.g. CreateEvent=40; repeatable",
    )
    faults.add_argument(
        "--create-event-tps",
        type=arguments.number(0, inclusive=False),
        default=None,
        metavar="N",
        help="CreateEvent calls per second per actor+session before 429 "
        "ThrottledException (the real quota is 5)",
    )
    faults.add_argument(
        "--fail-next",
        type=arguments.fail_spec,
        action="append",
        default=[],
        metavar=arguments.FAIL_SPEC,
        help="answer the next COUNT (default 1) calls of OPERATION (as the API names it, e.g. "
        "CreateEvent) with STATUS 500 (default), 429, 409, 403 or 402; repeatable",
    )
    faults.add_argument(
        "--commit-then-fail",
        type=arguments.whole_number(0),
        default=0,
        metavar="N",
        help="store the next N CreateEvents, then answer 500",
    )
    faults.add_argument(
        "--filtered-read-lag",
        type=arguments.SECONDS,
        default=0.0,
        metavar="SECONDS",
        help="metadata-filtered ListEvents miss events younger than this",
    )


def run(args: argparse.Namespace) -> int:
    """Check the address, set the faults, print the endpoint, then serve until stopped."""
    try:
        from ..local import FaultInjector, serve
        from ..local.console import console_url
        from ..wire.conversation_reader import read_strands_message
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise CliError(
            f"the local server needs its extra: pip install 'agentcore-memory-otel[local]' ({exc})"
        ) from None
    _check_address(args.host, args.port)
    faults = FaultInjector()
    faults.set_latency(args.latency_ms / 1000)
    for operation, ms in args.op_latency:
        faults.set_latency(ms / 1000, operation)
    faults.set_create_event_rate_limit(args.create_event_tps)
    for operation, count, status in args.fail_next:
        faults.fail_next(operation, count, status=status)
    if args.commit_then_fail:
        faults.commit_then_fail(args.commit_then_fail)
    faults.set_filtered_read_lag(args.filtered_read_lag)
    endpoint = client_endpoint(args.host, args.port)
    every = " (listening on every interface)" if args.host in _WILDCARD_TO_LOOPBACK else ""
    print(f"AgentCore Memory local server on {endpoint}{every} (database: {args.db})")
    print(f"  export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE={endpoint}")
    print(f"  export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL={endpoint}")
    print(f"Memory console: {console_url(endpoint)}")
    sys.stdout.flush()
    serve(
        host=args.host,
        port=args.port,
        db_path=args.db,
        region=args.region,
        faults=faults,
        trace_url=args.trace_url,
        conversation_reader=read_strands_message if args.conversation == "strands" else None,
    )
    return ExitStatus.OK


_WILDCARD_TO_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1"}
"""The addresses that mean every interface, and the one a client on this machine calls."""


def client_endpoint(host: str, port: int) -> str:
    """The URL a client on this machine calls for a server listening on ``host:port``.

    A client cannot call "every interface": it is given this machine's loopback address
    (which also lets `events` go without AWS credentials).
    """
    host = _WILDCARD_TO_LOOPBACK.get(host, host)
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    return f"http://{host}:{port}"


def _check_address(host: str, port: int) -> None:
    """Fail in one line, before the server starts, when ``host:port`` cannot be listened on.

    A host that is no address of this machine gets a host error; only a port in use (or one
    that needs privileges) gets a port hint.
    """
    # The address family uvicorn binds with: IPv6 when the host has a colon, else IPv4.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        _, kind, proto, _, address = socket.getaddrinfo(
            host, port, family, socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError):
        raise CliError(
            f"cannot listen on {host or repr(host)}: not an IP address or a host name that "
            "resolves; give "
            "--host an address of this machine (127.0.0.1, the default, or 0.0.0.0 for every "
            "interface)"
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CliError(_bind_failure(host, port, exc)) from None


def _bind_failure(host: str, port: int, exc: OSError) -> str:
    """What a failed bind means for the user: the host, or the port, is the problem."""
    where = f"cannot listen on {host}:{port}: {exc.strerror}"
    if exc.errno == errno.EADDRINUSE:
        return f"{where}; stop what uses it or pick another --port"
    if exc.errno == errno.EACCES:
        return f"{where}; ports below 1024 need privileges: pick another --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"{where}; {host} is not an address of this machine: give --host one of its "
            "addresses (127.0.0.1, the default, or 0.0.0.0 for every interface)"
        )
    return f"{where}; check --host and --port"
