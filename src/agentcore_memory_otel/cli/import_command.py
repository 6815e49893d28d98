"""``agentcore-memory-otel import``: store an export's events in a memory."""

from __future__ import annotations

import argparse

from .data_options import add_target, progress_printer
from .endpoint import data_client
from .errors import CliError, ExitStatus


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``import`` command's arguments."""
    imported = subparsers.add_parser(
        "import",
        help="store the events of an `export` file in a memory",
        description="Create the events of an `export` file in a memory, in order, with their "
        "timestamps, metadata and branches. The whole file is checked first; a rerun stores "
        "nothing twice. --actor-id and --session-id store under other ids.",
    )
    add_target(imported, actor_required=False)
    imported.add_argument("--input", required=True, metavar="PATH", help="the file `export` wrote")


def run(args: argparse.Namespace) -> int:
    """Import, and say how many events were stored."""
    from ..session.data_control import import_events
    from ..session.data_control.lines import LineError
    from ..session.data_control.transfer import ImportRefused

    try:
        report = import_events(
            args.input,
            memory_id=args.memory_id,
            actor_id=args.actor_id,
            session_id=args.session_id,
            client=data_client(args),
            progress=progress_printer("import"),
        )
    except ImportRefused as exc:
        raise CliError(str(exc)) from None
    except LineError as exc:
        raise CliError(f"{args.input}: {exc}; nothing was imported") from None
    except ValueError as exc:
        raise CliError(str(exc), ExitStatus.USAGE) from None
    except OSError as exc:
        raise CliError(f"cannot read {args.input}: {exc.strerror or exc}") from None
    if not report.events:
        raise CliError(f"{args.input} holds no event: nothing was imported")
    sessions = ", ".join(f"{a}/{s}" for a, s in report.sessions)
    print(f"imported {report.events} event(s) into {args.memory_id}: {sessions}")
    return ExitStatus.OK
