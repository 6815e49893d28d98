"""Running a blocking hook off an async agent's event loop.

Strands awaits coroutine callbacks when it dispatches ``MessageAddedEvent`` and
``AfterInvocationEvent`` (both are always dispatched through ``invoke_callbacks_async``), so a
hook registered as a coroutine can hand its blocking work to a thread and await it: the loop
keeps running other tasks, and the turn still goes on only once the hook is done (in sync
write mode, once the message is stored). A synchronous ``agent(...)`` call runs its own
private loop in a worker thread (Strands' sync bridge); there the hook runs inline, since
nothing else shares that loop and a thread hop would only add latency.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from strands.hooks.registry import HookCallback
from strands.hooks.registry import TEvent as E

try:  # Strands' marker for its sync bridge; absent in other versions
    from strands._async import is_run_async_bridge
except ImportError:  # pragma: no cover - depends on the Strands version

    def is_run_async_bridge() -> bool:
        """Without the marker, every loop is treated as one that other tasks share."""
        return False


def off_loop(handler: Callable[[E], None]) -> HookCallback[E]:
    """A coroutine callback that runs ``handler`` in a worker thread (inline on the bridge).

    The worker thread runs in a copy of the caller's context, so the active span (the trace
    stamp) is the same as on the loop.
    """

    async def callback(event: E) -> None:
        if is_run_async_bridge():
            handler(event)
        else:
            await asyncio.to_thread(handler, event)

    callback.__name__ = getattr(handler, "__name__", "callback")
    return callback
