"""Options and output shared by the erase, export and import commands."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import arguments

if TYPE_CHECKING:  # the command line loads without boto3 and OpenTelemetry
    from ..session.data_control.progress import Progress

_EVERY_S = 1.0
"""How often a long step reports its progress on stderr."""


def add_target(command: argparse.ArgumentParser, *, actor_required: bool = True) -> None:
    """--memory-id, --actor-id, --session-id, --endpoint-url and --region."""
    command.add_argument(
        "--memory-id", required=True, type=arguments.memory_id, help="memory id or memory ARN"
    )
    command.add_argument(
        "--actor-id", required=actor_required, type=arguments.actor_id, help="the actor"
    )
    command.add_argument(
        "--session-id",
        type=arguments.session_id,
        help="one session of the actor (default: every session of the actor)",
    )
    command.add_argument(
        "--endpoint-url",
        type=arguments.endpoint_url,
        help="AgentCore endpoint, e.g. http://127.0.0.1:8765 for `serve` (default: "
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, else AWS)",
    )
    command.add_argument("--region", help="AWS region (default: boto3's, else us-east-1)")


def progress_printer(command: str) -> Callable[[Progress], None]:
    """A progress callback printing ``command: STEP done/total`` on stderr, once a second."""
    last = [0.0]

    def show(progress: Progress) -> None:
        now = time.monotonic()
        finished = progress.total is not None and progress.done >= progress.total
        if now - last[0] < _EVERY_S and not finished:
            return
        last[0] = now
        total = f"/{progress.total}" if progress.total is not None else ""
        print(f"{command}: {progress.step.value} {progress.done}{total}", file=sys.stderr)

    return show
