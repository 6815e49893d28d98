"""The ``agentcore-memory-otel`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

DEFAULT_PORT = 8765
DEFAULT_DB = "agentcore-memory.db"


def _operation_ms(text: str) -> tuple[str, float]:
    operation, _, ms = text.partition("=")
    if not operation or not ms:
        raise argparse.ArgumentTypeError(f"expected OPERATION=MS, got {text!r}")
    return operation, float(ms)


def _fail_spec(text: str) -> tuple[str, int, int]:
    parts = text.split(":")
    if not parts[0] or len(parts) > 3:
        raise argparse.ArgumentTypeError(f"expected OPERATION[:COUNT[:STATUS]], got {text!r}")
    count = int(parts[1]) if len(parts) > 1 else 1
    status = int(parts[2]) if len(parts) > 2 else 500
    return parts[0], count, status


def _trace_url(text: str) -> str:
    from ..local.console.links import check_trace_url

    try:
        return check_trace_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _add_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the local AgentCore Memory server in the foreground",
        description="Run the embedded AgentCore Memory server (data plane and memory control "
        "plane). Point boto3 at it with endpoint_url or AWS_ENDPOINT_URL_BEDROCK_AGENTCORE.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s)")
    serve.add_argument(
        "--db",
        default=DEFAULT_DB,
        help="SQLite file (default: %(default)s); ':memory:' keeps nothing after exit",
    )
    serve.add_argument("--region", default="us-east-1", help="region used in memory ARNs")
    serve.add_argument(
        "--trace-url",
        type=_trace_url,
        metavar="TEMPLATE",
        help="link each trace id in the console to your tracing tool, e.g. "
        "'http://localhost:16686/trace/{traceId}'",
    )
    faults = serve.add_argument_group("fault and latency injection")
    faults.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="added latency for every operation, in milliseconds",
    )
    faults.add_argument(
        "--op-latency",
        type=_operation_ms,
        action="append",
        default=[],
        metavar="OPERATION=MS",
        help="added latency for one operation",
    )
    faults.add_argument(
        "--create-event-tps",
        type=float,
        default=None,
        metavar="N",
        help="CreateEvent calls per second per actor+session before 429 "
        "ThrottledException (the real quota is 5)",
    )
    faults.add_argument(
        "--fail-next",
        type=_fail_spec,
        action="append",
        default=[],
        metavar="OPERATION[:COUNT[:STATUS]]",
        help="answer the next COUNT calls with STATUS 500, 429, 409, 403 or 402",
    )
    faults.add_argument(
        "--commit-then-fail",
        type=int,
        default=0,
        metavar="N",
        help="store the next N CreateEvents, then answer 500",
    )
    faults.add_argument(
        "--filtered-read-lag",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="metadata-filtered ListEvents miss events younger than this",
    )


def _run_serve(args: argparse.Namespace) -> int:
    try:
        from ..local import FaultInjector, serve
        from ..local.console import console_url
    except ImportError as exc:  # pragma: no cover - depends on the install
        print(
            f"the local server needs its extra: pip install 'agentcore-memory-otel[local]' ({exc})",
            file=sys.stderr,
        )
        return 2
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
    endpoint = f"http://{args.host}:{args.port}"
    print(f"AgentCore Memory local server on {endpoint} (database: {args.db})")
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
    return 0


def _add_events(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    events = subparsers.add_parser(
        "events",
        help="print the memory events a trace wrote",
        description="Find the AgentCore Memory events stamped with a trace id (from Langfuse, "
        "Jaeger or Phoenix) and print them with their messages.",
    )
    events.add_argument("--trace-id", required=True, help="W3C trace id, 32 hex digits")
    events.add_argument("--memory-id", required=True)
    events.add_argument("--actor-id", required=True)
    events.add_argument("--session-id", help="search one session (default: all of the actor's)")
    events.add_argument("--endpoint-url", help="AgentCore endpoint, e.g. the local server's")
    events.add_argument("--region", help="AWS region")
    events.add_argument("--json", action="store_true", help="print JSON instead of text")


def _run_events(args: argparse.Namespace) -> int:
    from ..find import find_events
    from .display import describe_block

    found = find_events(
        args.trace_id,
        memory_id=args.memory_id,
        actor_id=args.actor_id,
        session_id=args.session_id,
        endpoint_url=args.endpoint_url,
        region_name=args.region,
    )
    if args.json:
        print(json.dumps([event.to_dict() for event in found], indent=2, default=str))
        return 0
    if not found:
        print(f"No events found for trace {args.trace_id}.")
        return 1
    print(f"{len(found)} event(s) for trace {args.trace_id}:")
    for event in found:
        print(
            f"\n{event.event_id}  session={event.session_id}  span={event.span_id}  "
            f"{event.timestamp.isoformat()}"
        )
        for message in event.messages:
            for block in message.get("content", []):
                print(f"  {message['role']:>9}: {describe_block(dict(block))}")
    return 0


def _add_demo(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run an agent with memory and telemetry, offline, and summarise what it cost",
        description="A travel agent with tools converses (scripted model, offline), its memory "
        "goes to AgentCore Memory (the embedded local server by default), traces go to the "
        "console or OTEL_EXPORTER_OTLP_ENDPOINT, metrics to a Prometheus endpoint; the agent is "
        "then restarted from memory, and a summary shows calls, savings and latency.",
    )
    demo.add_argument("--batch-size", type=int, default=1, help="messages per CreateEvent")
    demo.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="simulated network round trip on the local server, per call",
    )
    demo.add_argument(
        "--model",
        choices=["scripted", "bedrock"],
        default="scripted",
        help="scripted (offline, default) or Amazon Bedrock (needs credentials)",
    )
    demo.add_argument("--endpoint-url", help="use this AgentCore endpoint, not the local server")
    demo.add_argument(
        "--aws",
        action="store_true",
        help="use real AWS AgentCore Memory (credentials and region from the environment)",
    )
    demo.add_argument("--memory-id", help="use this memory instead of creating one")
    demo.add_argument("--region", default="us-east-1")
    demo.add_argument(
        "--db",
        default="agentcore-memory-demo.db",
        help="SQLite file of the embedded server (default: %(default)s)",
    )
    demo.add_argument(
        "--metrics-port",
        type=int,
        default=9464,
        help="Prometheus scrape port on 127.0.0.1 (0: off; default %(default)s)",
    )
    demo.add_argument(
        "--hold",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="keep serving metrics this long after the run",
    )
    demo.add_argument(
        "--json-summary", metavar="PATH", help="also write the summary's figures as JSON to PATH"
    )


def _run_demo(args: argparse.Namespace) -> int:
    from .demo import DemoError, DemoOptions, run_demo

    if args.model == "bedrock":
        import boto3

        if boto3.Session().get_credentials() is None:
            print("--model bedrock needs AWS credentials; none were found.", file=sys.stderr)
            return 2
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
                region=args.region,
                json_summary=args.json_summary,
            )
        )
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="agentcore-memory-otel",
        description="Strands Agents memory on Amazon Bedrock AgentCore Memory, with "
        "OpenTelemetry, and a local AgentCore Memory server.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_serve(subparsers)
    _add_events(subparsers)
    _add_demo(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``agentcore-memory-otel`` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _run_serve(args)
    if args.command == "events":
        return _run_events(args)
    if args.command == "demo":
        return _run_demo(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
