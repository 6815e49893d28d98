"""``python -m agentcore_memory_otel``: the same as the ``agentcore-memory-otel`` command."""

import sys

from .cli.entry import main

sys.exit(main())
