"""``agentcore-memory-otel activity``: what a trace did to memory, or where a record came from.

``--trace-id T`` lists the events the trace wrote (with their messages), the messages it
superseded (redactions and updates), the records its turns read and injected, and the records
learned from its events. ``--record-id R`` goes the other way: the record's source events and
their traces. Both come from ``agentcore_memory_otel.session.activity``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..wire.blocks import describe_block
from . import arguments
from .display import lookup_summary, user_fields
from .endpoint import data_client
from .errors import ExitStatus


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``activity`` subcommand's arguments."""
    parser = subparsers.add_parser(
        "activity",
        help="what a trace did to memory, or which trace taught a record",
        description="With --trace-id: the events a trace wrote, the messages it superseded, "
        "the long-term records its turns read, and the records learned from its events. With "
        "--record-id: the record's source events and the traces that wrote them.",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--trace-id",
        type=arguments.trace_id,
        help="the trace id in any common form: W3C hex (32 digits, any case, dashes or 0x "
        "allowed) or X-Ray (1-5759e988-bd862e3fe1be46a994272793)",
    )
    which.add_argument(
        "--record-id", type=arguments.record_id, help="a long-term memory record id (mem-...)"
    )
    parser.add_argument(
        "--memory-id", required=True, type=arguments.memory_id, help="memory id or memory ARN"
    )
    parser.add_argument(
        "--actor-id",
        type=arguments.actor_id,
        help="with --trace-id, search one actor (default: every actor of the memory)",
    )
    parser.add_argument(
        "--session-id",
        type=arguments.session_id,
        help="with --trace-id, search one session (default: every session)",
    )
    parser.add_argument(
        "--endpoint-url",
        type=arguments.endpoint_url,
        help="AgentCore endpoint, e.g. http://127.0.0.1:8765 for `serve` (default: "
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, else AWS)",
    )
    parser.add_argument("--region", help="AWS region (default: boto3's, else us-east-1)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def run(args: argparse.Namespace) -> int:
    """Print the trace's activity or the record's sources."""
    from ..session.activity import record_sources, trace_activity

    client = data_client(args)
    if args.record_id is not None:
        sources = record_sources(args.record_id, memory_id=args.memory_id, client=client)
        if args.json:
            shown = sources.to_dict()
            for event in shown["events"]:
                event["messages"] = [user_fields(m) for m in event["messages"]]
            print(json.dumps(shown, indent=2, default=str))
        else:
            _print_sources(sources)
        return ExitStatus.OK
    activity = trace_activity(
        args.trace_id,
        memory_id=args.memory_id,
        actor_id=args.actor_id,
        session_id=args.session_id,
        client=client,
    )
    if args.json:
        shown = activity.to_dict()
        for event in shown["events"]:
            event["messages"] = [user_fields(m) for m in event["messages"]]
        print(json.dumps(shown, indent=2, default=str))
    else:
        _print_activity(activity)
    return ExitStatus.OK


def _print_messages(messages: list[Any]) -> None:
    for message in messages:
        for block in message.get("content", []):
            print(f"    {message.get('role', '?'):>9}: {describe_block(dict(block))}")


def _print_sources(sources: Any) -> None:
    lineage = sources.lineage
    print(f"Record {lineage.record_id}  namespace={lineage.namespace}")
    if not lineage.known:
        print(
            "  No lineage: the record names no source events or traces (records the "
            "AgentCore service extracts itself carry none; see docs/correlation.md)."
        )
        return
    print(f"  traces: {', '.join(lineage.trace_ids) or 'none'}")
    if lineage.span_id:
        print(f"  created in span {lineage.span_id}")
    if lineage.event_ids:
        more = lineage.event_count - len(lineage.event_ids)
        suffix = f" (and {more} older)" if more > 0 else ""
        print(f"  source events{suffix}: actor={lineage.actor_id} session={lineage.session_id}")
    for event in sources.events:
        state = "" if event.found else "  (deleted since)"
        print(f"  {event.event_id}  trace={event.trace_id}{state}")
        _print_messages(event.messages)


def _print_activity(activity: Any) -> None:
    from ..wire.lineage import branch_of

    print(f"Trace {activity.trace_id}")
    print(f"\nEvents written: {len(activity.events)}")
    for event in activity.events:
        branch = branch_of(event.raw)
        on_branch = f"  branch={branch}" if branch else ""
        print(f"  {event.event_id}  session={event.session_id}{on_branch}  span={event.span_id}")
        _print_messages(event.messages)
    print(f"\nMessages superseded (redacted or updated): {len(activity.superseded)}")
    for item in activity.superseded:
        print(
            f"  agent={item.agent_id} message={item.message_id} rewritten in {item.event_id}"
            " (the original's events are deleted)"
        )
    print(f"\nRecords read and injected: {len(activity.reads)}")
    for read in activity.reads:
        where = f"namespace={read.namespace}" if read.namespace else "(record deleted since)"
        print(f"  {read.record_id}  score={read.score}  {where}")
    print(f"\nRecords learned from its events: {len(activity.records)}")
    for record in activity.records:
        print(f"  {record.record_id}  namespace={record.namespace}")
    print(f"\n{lookup_summary(activity.events.report)}")
