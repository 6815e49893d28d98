"""The events command: the memory events a trace wrote, found by its trace id."""

from __future__ import annotations

import argparse
import json
import sys

from . import arguments
from .endpoint import data_client
from .errors import ExitStatus


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The events subcommand."""
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


def run(args: argparse.Namespace) -> int:
    """Find the trace's events and print them (text, or JSON with --json)."""
    from ..telemetry.find import find_events
    from ..wire.blocks import describe_block
    from .display import lookup_summary, user_fields

    found = find_events(
        args.trace_id,
        memory_id=args.memory_id,
        actor_id=args.actor_id,
        session_id=args.session_id,
        client=data_client(args),
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
