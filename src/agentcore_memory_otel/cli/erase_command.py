"""``agentcore-memory-otel erase``: delete everything stored about an actor or a session."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .data_options import add_target, progress_printer
from .endpoint import data_client
from .errors import CliError, ExitStatus, explain


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``erase`` command's arguments."""
    erase = subparsers.add_parser(
        "erase",
        help="delete every event, record and journal row of an actor or a session",
        description="Delete every event of an actor (all its sessions and branches) or of one "
        "session, the long-term records in its namespaces (found from the memory's strategies), "
        "and its rows in a journal file; then list what remains (nothing). Run with --dry-run "
        "first to see what would go. An interrupted erase finishes when run again.",
    )
    add_target(erase)
    erase.add_argument(
        "--journal", type=Path, metavar="PATH", help="the journal_path the agents used"
    )
    erase.add_argument(
        "--namespace-template",
        action="append",
        default=[],
        metavar="TEMPLATE",
        help="another namespace holding the actor's records, e.g. '/notes/{actorId}/'; repeatable",
    )
    erase.add_argument(
        "--no-records", action="store_true", help="leave long-term records (no GetMemory call)"
    )
    mode = erase.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="only list what would go")
    mode.add_argument("--yes", action="store_true", help="delete, for good")
    erase.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    """Erase, print what went and what remains; exit 1 when something remains."""
    from botocore.exceptions import ClientError

    from ..session.data_control import erase
    from ..session.data_control.calls import error_code
    from ..session.data_control.clients import control_client_for

    if args.journal is not None and not args.journal.is_file():
        raise CliError(f"--journal {args.journal}: no such file (the journal_path the agents used)")
    client = data_client(args)
    try:
        report = erase(
            args.memory_id,
            args.actor_id,
            args.session_id,
            client=client,
            control_client=None
            if args.no_records
            else control_client_for(client, args.endpoint_url, args.region),
            journal_path=args.journal,
            records=not args.no_records,
            namespace_templates=args.namespace_template,
            dry_run=args.dry_run,
            progress=progress_printer("erase"),
        )
    except ClientError as exc:
        if exc.operation_name != "GetMemory" or error_code(exc) == "ResourceNotFoundException":
            raise
        raise CliError(
            f"{explain(exc)}\n  the actor's records are found from the memory's strategies "
            "(GetMemory); allow it, or erase events and journal rows only with --no-records"
        ) from None
    if args.json:
        print(json.dumps(_as_json(report), indent=2))
    else:
        _print(report)
    if not report.dry_run and not report.complete:
        raise CliError("something remains after the erase (listed above); run it again")
    return ExitStatus.OK


def _print(report: Any) -> None:
    what = "would erase" if report.dry_run else "erased"
    print(f"{what}: {report.plan.summary()}")
    for event in report.plan.events:
        print(f"  event   {event.session_id}  {event.event_id}  branch={event.branch}")
    for record in report.plan.records:
        print(f"  record  {record.namespace}  {record.record_id}")
    for skipped in report.plan.skipped_templates:
        print(f"  not erased: records under {skipped.template} ({skipped.reason})")
    if report.remaining is None:
        return
    if report.remaining.empty:
        print(f"verified: nothing remains ({_calls(report.calls)})")
        if report.remaining.sessions:
            print(
                f"  {len(report.remaining.sessions)} session id(s) still listed without events "
                "(the service removes an empty session within a day)"
            )
        return
    print(f"REMAINING: {report.remaining.summary()}")
    for event in report.remaining.events:
        print(f"  event   {event.session_id}  {event.event_id}  branch={event.branch}")
    for record in report.remaining.records:
        print(f"  record  {record.namespace}  {record.record_id}")


def _calls(calls: dict[str, int]) -> str:
    return ", ".join(f"{n} {op}" for op, n in sorted(calls.items()))


def _as_json(report: Any) -> dict[str, Any]:
    def plan(p: Any) -> dict[str, Any]:
        return {
            "sessions": p.sessions,
            "events": [vars(e) for e in p.events],
            "records": [vars(r) for r in p.records],
            "journalRows": p.journal_rows,
            "skippedTemplates": [vars(s) for s in p.skipped_templates],
        }

    return {
        "memoryId": report.memory_id,
        "actorId": report.actor_id,
        "sessionId": report.session_id,
        "dryRun": report.dry_run,
        "plan": plan(report.plan),
        "remaining": None if report.remaining is None else plan(report.remaining),
        "complete": report.complete,
        "calls": report.calls,
    }
