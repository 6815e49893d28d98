"""``agentcore-memory-otel branches``: a session's branch tree, or one branch's events.

The tree shows each branch's root event and the traces of its root and first events; a
branch's events (what a manager on it restores: its own and its parents' up to its root) each
come with the ``fork`` command line that forks there, and each trace with the one that forks
just before it.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from . import arguments
from .endpoint import data_client
from .errors import CliError, ExitStatus

if TYPE_CHECKING:  # the command line loads without OpenTelemetry until a command runs
    from ..wire.branch_tree import BranchTree


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``branches`` command's arguments."""
    branches = subparsers.add_parser(
        "branches",
        help="show a session's branches, or the events one branch restores",
        description="Show the AgentCore branches of a session as a tree (each with its root "
        "event and the traces of its root and first events), or with --branch the events a "
        "session manager on that branch restores, each with the fork command that forks there.",
    )
    branches.add_argument(
        "--memory-id", required=True, type=arguments.memory_id, help="memory id or memory ARN"
    )
    branches.add_argument("--actor-id", required=True, type=arguments.actor_id, help="the actor")
    branches.add_argument(
        "--session-id", required=True, type=arguments.session_id, help="the session"
    )
    branches.add_argument(
        "--branch", type=arguments.branch_name, help="list the events this branch restores"
    )
    branches.add_argument(
        "--endpoint-url",
        type=arguments.endpoint_url,
        help="AgentCore endpoint, e.g. http://127.0.0.1:8765 for `serve` (default: "
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, else AWS)",
    )
    branches.add_argument("--region", help="AWS region (default: boto3's, else us-east-1)")
    branches.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args: argparse.Namespace) -> int:
    """Read the session once (every branch), then print the tree or one branch's events."""
    from ..client.paging import session_events
    from ..telemetry import InstrumentedMemoryApi
    from ..wire.branch_tree import BranchTree

    api = InstrumentedMemoryApi(data_client(args))
    try:
        events = session_events(
            api.list_events,
            memory_id=args.memory_id,
            actor_id=args.actor_id,
            session_id=args.session_id,
        )
    finally:
        api.close()
    tree = BranchTree(events)
    if args.branch is None:
        _print_tree(args, tree)
        return ExitStatus.OK
    if args.branch not in tree.branches:
        known = ", ".join(tree.branches) or "none: the session has no events"
        raise CliError(f"session {args.session_id} has no branch {args.branch!r} (it has {known})")
    _print_branch(args, tree)
    return ExitStatus.OK


def _print_tree(args: argparse.Namespace, tree: BranchTree) -> None:
    rows = tree.summaries()
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"session {args.session_id} (actor {args.actor_id}): {len(rows)} branch(es),"
        f" {len(tree.events)} event(s)"
    )
    for row in rows:
        line = f"{'  ' * row['depth']}{row['name']}: {row['eventCount']} event(s)"
        if row["rootEventId"] is not None:
            line += f", root {row['rootEventId']} (trace {row['rootTraceId'] or '-'})"
            line += f", first event {row['firstEventId']} (trace {row['firstTraceId'] or '-'})"
            if row["forkTraceId"]:
                line += f", forked at trace {row['forkTraceId']}"
        print(line)


def _print_branch(args: argparse.Namespace, tree: BranchTree) -> None:
    from ..wire.blocks import describe_block
    from ..wire.branch_tree import trace_of
    from ..wire.branches import event_branch
    from ..wire.codec import StoredMessage, decode_event

    rows = []
    for event, lines in tree.fork_lines(
        args.branch, args.memory_id, args.actor_id, args.session_id
    ):
        decoded = decode_event(event)
        messages = [s.session_message.message for s in decoded if isinstance(s, StoredMessage)]
        rows.append(
            {
                "eventId": event["eventId"],
                "branch": event_branch(event),
                "traceId": trace_of(event),
                "messages": [
                    f"{m['role']}: {' '.join(describe_block(dict(b)) for b in m['content'])}"
                    for m in messages
                ],
                **lines,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"branch {args.branch}: {len(rows)} event(s) restored, oldest first")
    for row in rows:
        inherited = "" if row["branch"] == args.branch else f"  (from {row['branch']})"
        if "forkBeforeTrace" in row:
            print(f"\ntrace {row['traceId']}")
            print(f"  fork before it: {row['forkBeforeTrace']}")
        print(f"  {row['eventId']}{inherited}")
        for message in row["messages"]:
            print(f"    {message}")
        print(f"    fork here: {row['forkHere']}")
