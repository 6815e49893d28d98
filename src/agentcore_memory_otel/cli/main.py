"""The ``agentcore-memory-otel`` command line.

Every mistake ends in a line or two on stderr that says what is wrong and what to do: exit
status 2 for a wrong command line (checked before anything starts), 1 for a failure met
while running; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, cast

from .._version import __version__
from . import (
    activity_command,
    arguments,
    branches_command,
    erase_command,
    export_command,
    fork_command,
    import_command,
)
from .entry import INTERRUPTED
from .errors import CliError, ExitStatus, explain, no_credentials

PROG = "agentcore-memory-otel"
DEFAULT_DB = "agentcore-memory.db"


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in two lines instead of the whole usage text."""

    def error(self, message: str) -> NoReturn:
        """Print the problem and where help is, and exit with status 2."""
        self.exit(ExitStatus.USAGE, f"{self.prog}: {message}\n  see `{self.prog} --help`\n")


def _add_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _run_serve(args: argparse.Namespace) -> int:
    try:
        from ..local import FaultInjector, serve
        from ..local.console import console_url
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


def _add_events(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    events = subparsers.add_parser(
        "events",
        help="print the memory events a trace wrote",
        description="Find the AgentCore Memory events stamped with a trace id (from Langfuse, "
        "Jaeger, Phoenix or X-Ray) and print them with their messages. Without --actor-id the "
        "lookup walks every actor and session of the memory, and stops at the session holding "
        "the trace.",
    )
    events.add_argument(
        "--trace-id",
        required=True,
        type=arguments.trace_id,
        help="the trace id in any common form: W3C hex (32 digits, any case, dashes or 0x "
        "allowed) or X-Ray (1-5759e988-bd862e3fe1be46a994272793)",
    )
    events.add_argument(
        "--memory-id", required=True, type=arguments.memory_id, help="memory id or memory ARN"
    )
    events.add_argument(
        "--actor-id",
        type=arguments.actor_id,
        help="search one actor (default: every actor of the memory)",
    )
    events.add_argument(
        "--session-id",
        type=arguments.session_id,
        help="search one session (default: every session of the actor, or of the memory)",
    )
    events.add_argument(
        "--endpoint-url",
        type=arguments.endpoint_url,
        help="AgentCore endpoint, e.g. http://127.0.0.1:8765 for `serve` (default: "
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, else AWS)",
    )
    events.add_argument("--region", help="AWS region (default: boto3's, else us-east-1)")
    events.add_argument(
        "--json", action="store_true", help="print the events as a JSON list instead of text"
    )
    events.add_argument(
        "--all-fields",
        action="store_true",
        help="with --json, print messages as stored, Strands' internal fields included "
        "(tracking_id, token counts and latency of 0); by default a message shows its role, "
        "content, and token counts when a model reported any",
    )


def _events_client(args: argparse.Namespace) -> Any:
    """The data-plane client, checked for credentials; it gives up on a dead endpoint quickly."""
    import boto3
    from botocore.config import Config

    from ..client.boto import make_client
    from ..wire.loopback import is_loopback

    _check_environment_endpoint()
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


def _check_environment_endpoint() -> None:
    """The endpoint botocore would take from the environment, checked as --endpoint-url is."""
    for name in _ENDPOINT_VARIABLES:
        if value := os.environ.get(name):
            try:
                arguments.check_endpoint_url(value)
            except ValueError as exc:
                raise CliError(f"{name}: {exc}") from None
            return


def _run_events(args: argparse.Namespace) -> int:
    from ..telemetry.find import find_events
    from ..wire.blocks import describe_block
    from .display import lookup_summary, user_fields

    found = find_events(
        args.trace_id,
        memory_id=args.memory_id,
        actor_id=args.actor_id,
        session_id=args.session_id,
        client=_events_client(args),
    )
    # Finding nothing is an answer, not a failure: exit 0, with text as with --json.
    # The call report goes to stderr with --json, so stdout stays one JSON document.
    if args.json:
        shown = [event.to_dict() for event in found]
        if not args.all_fields:
            for stored in shown:
                stored["messages"] = [user_fields(message) for message in stored["messages"]]
        print(json.dumps(shown, indent=2, default=str))
        print(lookup_summary(found.report), file=sys.stderr)
        return ExitStatus.OK
    if not found:
        print(_nothing_found(args, found.report.sessions_searched))
        print(lookup_summary(found.report))
        return ExitStatus.OK
    print(f"{len(found)} event(s) for trace {args.trace_id}:")
    for event in found:
        print(
            f"\n{event.event_id}  session={event.session_id}  span={event.span_id}  "
            f"{event.timestamp.isoformat()}"
        )
        for message in event.messages:
            for block in message.get("content", []):
                print(f"  {message['role']:>9}: {describe_block(dict(block))}")
    print(f"\n{lookup_summary(found.report)}")
    return ExitStatus.OK


def _nothing_found(args: argparse.Namespace, sessions_searched: int) -> str:
    """Why ``events`` found nothing: no session to search, or no event of the trace."""
    if sessions_searched == 0 and args.actor_id:
        return (
            f"No events found: actor {args.actor_id} has no sessions in memory "
            f"{args.memory_id} (0 sessions searched); check --actor-id (ids are "
            "case-sensitive), or leave it out to search every actor."
        )
    if sessions_searched == 0:
        return (
            f"No events found: memory {args.memory_id} has no sessions yet (0 sessions "
            "searched); check --memory-id, and --endpoint-url or --region."
        )
    return (
        f"No events found for trace {args.trace_id} in {_searched(args)} "
        "(events written in the last seconds may not be searchable yet)."
    )


def _searched(args: argparse.Namespace) -> str:
    """Where ``events`` looked, in words."""
    memory = f"memory {args.memory_id}"
    if args.session_id and args.actor_id:
        return f"session {args.session_id} of actor {args.actor_id} of {memory}"
    if args.session_id:
        return f"session {args.session_id} (any actor) of {memory}"
    if args.actor_id:
        return f"actor {args.actor_id} of {memory}"
    return f"every actor and session of {memory}"


def _add_demo(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run an agent with memory and telemetry, offline, and summarise what it cost",
        description="A travel agent with tools converses (scripted model, offline), its memory "
        "goes to AgentCore Memory (the embedded local server by default), traces are printed "
        "in this terminal as span trees (or sent over OTLP to OTEL_EXPORTER_OTLP_ENDPOINT), "
        "metrics go to a Prometheus endpoint; the agent is then restarted from memory, and a "
        "summary shows calls, savings and latency, and links one turn in the memory console "
        "(the local server's web page).",
    )
    demo.add_argument(
        "--batch-size",
        type=arguments.BATCH_SIZE,
        default=1,
        help="messages per CreateEvent, 1 to 100 (default: %(default)s)",
    )
    demo.add_argument(
        "--latency-ms",
        type=arguments.MILLISECONDS,
        default=0.0,
        help="simulated network round trip on the local server, per call",
    )
    demo.add_argument(
        "--model",
        choices=["scripted", "bedrock"],
        default="scripted",
        help="scripted (offline, default) or Amazon Bedrock (needs credentials)",
    )
    demo.add_argument(
        "--endpoint-url",
        type=arguments.endpoint_url,
        help="use the AgentCore Memory at this endpoint (e.g. http://127.0.0.1:8765), not the "
        "embedded server",
    )
    demo.add_argument(
        "--aws",
        action="store_true",
        help="use real AWS AgentCore Memory (credentials and region from the environment)",
    )
    demo.add_argument(
        "--memory-id", type=arguments.memory_id, help="use this memory instead of creating one"
    )
    demo.add_argument(
        "--region",
        help="AWS region (default: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1)",
    )
    demo.add_argument(
        "--db",
        type=arguments.database_path,
        default="agentcore-memory-demo.db",
        help="SQLite file of the embedded server (default: %(default)s)",
    )
    demo.add_argument(
        "--metrics-port",
        type=arguments.PORT_OR_OFF,
        default=9464,
        help="Prometheus scrape port on 127.0.0.1 (0: off; default %(default)s)",
    )
    demo.add_argument(
        "--hold",
        type=arguments.SECONDS,
        default=0.0,
        metavar="SECONDS",
        help="keep serving metrics this long after the run (default: stop at the end)",
    )
    demo.add_argument(
        "--json-summary", metavar="PATH", help="also write the summary's figures as JSON to PATH"
    )


def _run_demo(args: argparse.Namespace) -> int:
    from ..client.boto import resolve_region
    from .demo import DemoError, DemoOptions, run_demo

    region = resolve_region(args.region)
    if args.model == "bedrock" or args.aws:
        import boto3

        if boto3.Session(region_name=region).get_credentials() is None:
            raise no_credentials("--aws" if args.aws else "--model bedrock")
    if args.aws and not args.endpoint_url:
        _check_environment_endpoint()
    try:
        run_demo(
            DemoOptions(
                batch_size=args.batch_size,
                latency_ms=args.latency_ms,
                model=args.model,
                endpoint_url=args.endpoint_url,
                aws=args.aws,
                memory_id=args.memory_id,
                db=args.db,
                metrics_port=args.metrics_port,
                hold_seconds=args.hold,
                region=region,
                json_summary=args.json_summary,
            )
        )
    except DemoError as exc:
        raise CliError(str(exc)) from None
    return ExitStatus.OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog=PROG,
        description="Strands Agents memory on Amazon Bedrock AgentCore Memory, with "
        "OpenTelemetry, and a local AgentCore Memory server.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of failures")
    # The subcommands' parsers are _Parser too (argparse uses the parent's class).
    subparsers = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND", help="what to run"),
    )
    _add_serve(subparsers)
    _add_events(subparsers)
    _add_demo(subparsers)
    for module in (
        activity_command,
        fork_command,
        branches_command,
        erase_command,
        export_command,
        import_command,
    ):
        module.add_parser(subparsers)
    for command in subparsers.choices.values():  # --debug is also accepted after the command
        command.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show tracebacks of failures",
        )
    return parser


_COMMANDS = {
    "serve": _run_serve,
    "events": _run_events,
    "demo": _run_demo,
    "activity": activity_command.run,
    "fork": fork_command.run,
    "branches": branches_command.run,
    "erase": erase_command.run,
    "export": export_command.run,
    "import": import_command.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``agentcore-memory-otel`` console script."""
    try:  # argument checks may import (e.g. the local server's operations): Ctrl-C is quiet
        args = build_parser().parse_args(argv)
    except KeyboardInterrupt:
        return INTERRUPTED
    try:
        return _COMMANDS[args.command](args)
    except BrokenPipeError:
        # The reader left (e.g. `| head`): stop quietly, and keep the exit-time flush quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitStatus.FAILURE
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        status = exc.status if isinstance(exc, CliError) else ExitStatus.FAILURE
        message = str(exc) if isinstance(exc, CliError) else explain(exc)
        if message is None:
            message = f"unexpected {type(exc).__name__}: {exc}\n  --debug shows the traceback"
        print(f"{PROG} {args.command}: {message}", file=sys.stderr)
        return status


if __name__ == "__main__":
    sys.exit(main())
