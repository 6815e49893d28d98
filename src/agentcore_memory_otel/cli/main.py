"""The ``agentcore-memory-otel`` command line.

Every mistake ends in a line or two on stderr that says what is wrong and what to do: exit
status 2 for a wrong command line (checked before anything starts), 1 for a failure met
while running; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, Protocol, cast

from .._version import __version__
from . import (
    activity_command,
    branches_command,
    demo_command,
    erase_command,
    events_command,
    export_command,
    fork_command,
    import_command,
    serve_command,
)
from .entry import INTERRUPTED
from .errors import CliError, ExitStatus, explain

PROG = "agentcore-memory-otel"


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in two lines instead of the whole usage text."""

    def error(self, message: str) -> NoReturn:
        """Print the problem and where help is, and exit with status 2."""
        self.exit(ExitStatus.USAGE, f"{self.prog}: {message}\n  see `{self.prog} --help`\n")


class _Command(Protocol):
    """What a command's module holds (e.g. ``cli/fork_command.py``)."""

    def add_parser(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add the command's parser and its options."""

    def run(self, args: argparse.Namespace) -> int:
        """Run the command; return its exit status."""


_COMMANDS: dict[str, _Command] = {
    "serve": serve_command,
    "events": events_command,
    "demo": demo_command,
    "activity": activity_command,
    "fork": fork_command,
    "branches": branches_command,
    "erase": erase_command,
    "export": export_command,
    "import": import_command,
}
"""Each command's module, in ``--help`` order: its ``add_parser`` and its ``run``."""


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
    for module in _COMMANDS.values():
        module.add_parser(subparsers)
    for command in subparsers.choices.values():  # --debug is also accepted after the command
        command.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show tracebacks of failures",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``agentcore-memory-otel`` console script."""
    try:  # argument checks may import (e.g. the local server's operations): Ctrl-C is quiet
        args = build_parser().parse_args(argv)
    except KeyboardInterrupt:
        return INTERRUPTED
    try:
        return _COMMANDS[args.command].run(args)
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
