"""``agentcore-memory-otel export``: a session's (or an actor's) events as JSON Lines."""

from __future__ import annotations

import argparse
import sys

from .data_options import add_target, progress_printer
from .endpoint import data_client
from .errors import CliError, ExitStatus


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``export`` command's arguments."""
    export = subparsers.add_parser(
        "export",
        help="write a session's (or an actor's) events to a JSON Lines file",
        description="Write every event of a session (or of every session of an actor), every "
        "branch, oldest first, one JSON object per line with its metadata and trace ids. "
        "`import` stores the file in another memory, local or on AWS.",
    )
    add_target(export)
    export.add_argument(
        "--output", required=True, metavar="PATH", help="the file to write ('-': stdout)"
    )


def run(args: argparse.Namespace) -> int:
    """Export, and say how many events went where."""
    from ..session.data_control import export_events

    output = sys.stdout if args.output == "-" else args.output
    client = data_client(args)
    try:
        report = export_events(
            args.memory_id,
            args.actor_id,
            args.session_id,
            output=output,
            client=client,
            progress=progress_printer("export"),
        )
    except BrokenPipeError:
        raise  # the reader left: the command line ends quietly
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    where = "stdout" if args.output == "-" else args.output
    print(
        f"exported {report.events} event(s) of {report.sessions} session(s) to {where}",
        file=sys.stderr,
    )
    return ExitStatus.OK
