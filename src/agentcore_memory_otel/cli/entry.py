"""The console script's entry point: Ctrl-C while the command line still loads exits quietly.

It imports nothing at module level, so the interrupt is caught from the first moment the
package's code runs (the command line then handles it itself, see ``cli.main``).
"""

from __future__ import annotations

INTERRUPTED = 130
"""The shell's exit status for Ctrl-C."""


def main() -> int:
    """Load the command line and run it; 130, without a traceback, if interrupted meanwhile."""
    try:
        from .main import main as run_cli
    except KeyboardInterrupt:
        return INTERRUPTED
    return run_cli()
