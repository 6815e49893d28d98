"""``agentcore-memory-otel fork``: a new branch of a session, at a trace, a turn or an event."""

from __future__ import annotations

import argparse
import json
from typing import Any

from . import arguments
from .endpoint import data_client
from .errors import CliError, ExitStatus


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``fork`` command's arguments."""
    fork = subparsers.add_parser(
        "fork",
        help="fork a session onto a new branch at a trace, a turn or an event",
        description="Create an AgentCore branch of a session that inherits its conversation up "
        "to a trace (from Langfuse, Jaeger, Phoenix or X-Ray), a turn or an event, and print "
        "the configuration that resumes it. With --trace-id alone the session holding the "
        "trace is found first (as the events command does).",
    )
    at = fork.add_mutually_exclusive_group(required=True)
    at.add_argument(
        "--trace-id",
        type=arguments.trace_id,
        help="fork at this trace, in any form the events command takes",
    )
    at.add_argument(
        "--turn",
        type=arguments.whole_number(1),
        help="fork at this turn of the conversation (counted from 1: the Nth user prompt)",
    )
    at.add_argument("--event-id", help="fork at this event")
    fork.add_argument(
        "--branch", required=True, type=arguments.branch_name, help="the new branch's name"
    )
    where = fork.add_mutually_exclusive_group()
    where.add_argument(
        "--before",
        dest="position",
        action="store_const",
        const="before",
        help="keep everything before the trace, turn or event (it never happened)",
    )
    where.add_argument(
        "--after",
        dest="position",
        action="store_const",
        const="after",
        help="keep everything up to its end (the default)",
    )
    fork.set_defaults(position="after")
    fork.add_argument(
        "--from-branch",
        type=arguments.branch_name,
        help="the branch forked (default: the branch of the trace or event; main for a turn)",
    )
    fork.add_argument(
        "--memory-id", required=True, type=arguments.memory_id, help="memory id or memory ARN"
    )
    fork.add_argument(
        "--actor-id", type=arguments.actor_id, help="the actor (found from --trace-id if absent)"
    )
    fork.add_argument(
        "--session-id",
        type=arguments.session_id,
        help="the session (found from --trace-id if absent)",
    )
    fork.add_argument(
        "--endpoint-url",
        type=arguments.endpoint_url,
        help="AgentCore endpoint, e.g. http://127.0.0.1:8765 for `serve` (default: "
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, else AWS)",
    )
    fork.add_argument("--region", help="AWS region (default: boto3's, else us-east-1)")
    fork.add_argument("--json", action="store_true", help="print the new branch as JSON")


def run(args: argparse.Namespace) -> int:
    """Fork, then print the new branch and the configuration that resumes it."""
    from ..session.fork import fork_session
    from ..session.fork_guards import ForkError

    client = data_client(args)
    actor_id, session_id = args.actor_id, args.session_id
    if actor_id is None or session_id is None:
        actor_id, session_id = _session_of(args, client)
    try:
        fork = fork_session(
            memory_id=args.memory_id,
            actor_id=actor_id,
            session_id=session_id,
            branch=args.branch,
            trace_id=args.trace_id,
            turn=args.turn,
            event_id=args.event_id,
            position=args.position,
            from_branch=args.from_branch,
            client=client,
        )
    except ForkError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(fork.to_dict(), indent=2))
        return ExitStatus.OK
    print(
        f"branch {fork.branch} of session {fork.session_id} (actor {fork.actor_id}) forks from"
        f" event {fork.root_event_id} on {fork.parent}; its first event is {fork.event_id}"
    )
    if not fork.created:
        print("(an earlier run made this fork already: nothing was written)")
    print(f"calls: {', '.join(f'{op} {n}' for op, n in fork.calls.items())}")
    print("resume it with:")
    print(f"  {fork.config_line()}")
    return ExitStatus.OK


def _session_of(args: argparse.Namespace, client: Any) -> tuple[str, str]:
    """The actor and session holding ``--trace-id`` (the one session, or a usage error)."""
    from ..telemetry.find import find_events

    if args.trace_id is None:
        raise CliError("--turn and --event-id need --actor-id and --session-id", ExitStatus.USAGE)
    found = find_events(
        args.trace_id,
        memory_id=args.memory_id,
        actor_id=args.actor_id,
        session_id=args.session_id,
        client=client,
    )
    if not found:
        raise CliError(
            f"no event of trace {args.trace_id} in memory {args.memory_id}"
            " (check --actor-id/--session-id, or the trace's events may not be readable yet)"
        )
    holders = sorted({(event.actor_id, event.session_id) for event in found})
    if len(holders) > 1:
        # One trace can write to several sessions (a multi-agent request); forking one of
        # them silently would leave the user resuming a conversation they did not pick.
        listed = ", ".join(f"{actor} / {session}" for actor, session in holders)
        raise CliError(
            f"trace {args.trace_id} is in {len(holders)} sessions ({listed}):"
            " give --actor-id and --session-id to choose one",
            ExitStatus.USAGE,
        )
    return holders[0]
