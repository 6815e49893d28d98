"""The demo command: its options, checked, handed to ``cli.demo.run_demo``."""

from __future__ import annotations

import argparse

from . import arguments
from .endpoint import check_environment_endpoint
from .errors import CliError, ExitStatus, no_credentials


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The demo subcommand."""
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


def run(args: argparse.Namespace) -> int:
    """Run the demo; a failure it explains (``DemoError``) becomes a one-line error."""
    from ..client.boto import resolve_region
    from .demo import DemoError, DemoOptions, run_demo

    region = resolve_region(args.region)
    if args.model == "bedrock" or args.aws:
        import boto3

        if boto3.Session(region_name=region).get_credentials() is None:
            raise no_credentials("--aws" if args.aws else "--model bedrock")
    if args.aws and not args.endpoint_url:
        check_environment_endpoint()
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
