"""Running the local server: in-process for tests and examples, or in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
import uvicorn
from uvicorn.config import LOG_LEVELS

from ..wire.loopback import LOCAL_CREDENTIALS
from .app import create_app
from .backend import DEFAULT_REGION, Backend
from .console import console_url
from .conversation import ConversationReader
from .events import EMPTY_SESSION_SECONDS
from .extractors import Extractor
from .faults import CallStats, FaultInjector
from .memories import DEFAULT_SETTLE_SECONDS


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` whose connections send small answers at once.

    The protocol is named (``IPPROTO_TCP``, not 0) because asyncio's own event loop sets
    ``TCP_NODELAY`` on an accepted connection only when its socket says it is TCP; without it an
    answer written in two parts (headers, then body) waits for the client's delayed ACK, about
    40 ms a call. The listening socket gets ``TCP_NODELAY`` too, which Linux passes on to the
    connections it accepts. uvloop sets it either way.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class _InProcessServer(uvicorn.Server):
    """uvicorn's server, stopped at once from another thread.

    uvicorn looks at ``should_exit`` every 0.1 s, and its graceful shutdown waits another
    0.1 s before it looks at open connections: 0.17 s a stop, paid once per test by a suite
    that starts a server per test. Here ``request_exit`` wakes the loop at once, and shutdown
    waits only while a response is still being written or a task still runs (looked at every
    5 ms, for at most ``timeout_graceful_shutdown`` seconds, 5 by default), then cancels the
    tasks left, as uvicorn does.
    """

    _TICK_SECONDS = 1.0  # how often the Date header is refreshed while idle
    _POLL_SECONDS = 0.005

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def request_exit(self) -> None:
        """Ask the server to stop; safe from any thread, any number of times."""
        self.should_exit = True  # before reading _loop: main_loop sets _loop, then checks it
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # RuntimeError: the loop closed in between, so the server has stopped already
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake.set)

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not await self.on_tick(0):  # tick 0 refreshes the Date header
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._TICK_SECONDS)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 5.0)
        state = self.server_state
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(self._POLL_SECONDS)
        for task in list(state.tasks):
            task.cancel(msg="the local server stopped")
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


class LocalMemoryServer:
    """An AgentCore Memory server on a loopback port, in a background thread.

    Example::

        with LocalMemoryServer() as server:
            client = boto3.client("bedrock-agentcore", endpoint_url=server.endpoint_url, ...)

    Args:
        db_path: SQLite file; ``None`` keeps everything in memory for the server's life.
        host: Address to bind; loopback by default.
        port: Port to bind; 0 picks a free ephemeral port.
        region: Region used in memory ARNs and by ``client()``.
        log_level: uvicorn's log level.
        extractor: Long-term extraction (``local.extractors``); rule-based by default.
        settle_seconds: How long UpdateMemory's strategy changes stay CREATING/DELETING.
        trace_url: Template linking the console's trace ids out (holds ``{traceId}``).
        empty_session_seconds: How long a session left without events stays listed (the
            service: up to a day, the default); 0 removes it at once.
        conversation_reader: How extraction reads a stored conversational item; the text as
            stored by default, as the service does. Pass
            ``wire.conversation_reader.read_strands_message`` to extract from the messages a
            session manager stores as JSON.
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = DEFAULT_REGION,
        log_level: str = "warning",
        extractor: Extractor | None = None,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
        trace_url: str | None = None,
        empty_session_seconds: float = EMPTY_SESSION_SECONDS,
        conversation_reader: ConversationReader | None = None,
    ) -> None:
        if log_level not in LOG_LEVELS:
            raise ValueError(
                f"log_level must be one of {', '.join(LOG_LEVELS)} (uvicorn's), got {log_level!r}"
            )
        self.region = region
        self.backend = Backend(
            db_path or ":memory:",
            region=region,
            extractor=extractor,
            settle_seconds=settle_seconds,
            empty_session_seconds=empty_session_seconds,
            conversation_reader=conversation_reader,
        )
        self.faults = FaultInjector()
        self.stats = CallStats()
        self._host = host
        self._port = port
        self._log_level = log_level
        self._trace_url = trace_url
        self._server: _InProcessServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._stopped = False

    @property
    def endpoint_url(self) -> str:
        """``http://host:port`` for boto3's ``endpoint_url`` (or AWS_ENDPOINT_URL_*)."""
        if self._socket is None:
            raise RuntimeError("the server is not running; call start() or use it as a context")
        host, port = self._socket.getsockname()[:2]
        if ":" in host:  # an IPv6 address, bracketed in a URL
            host = f"[{host}]"
        return f"http://{host}:{port}"

    @property
    def console_url(self) -> str:
        """The memory console's address on this server."""
        return console_url(self.endpoint_url)

    def start(self) -> LocalMemoryServer:
        """Bind the port and start answering; returns once the server accepts requests.

        Raises:
            RuntimeError: The server was stopped: its database is closed, so it cannot answer
                again (a new ``LocalMemoryServer`` on the same ``db_path`` keeps a file's data).
        """
        if self._server is not None:
            return self
        if self._stopped:
            raise RuntimeError(
                "this local server was stopped and its database closed, so it cannot start"
                " again: make a new LocalMemoryServer (on the same db_path to keep its data)"
            )
        sock = listening_socket(self._host, self._port)
        self._socket = sock
        try:
            self._serve(sock)
        except BaseException:
            # Nothing half-started is kept: the port is released, and endpoint_url and a
            # second start() do not take this server for a running one.
            if self._server is not None and self._thread is not None:
                self._server.request_exit()
                self._thread.join(10)
            sock.close()
            self._server = self._thread = self._socket = None
            raise
        return self

    def _serve(self, sock: socket.socket) -> None:
        """Answer on ``sock`` in a background thread; return once requests are accepted."""
        config = uvicorn.Config(
            create_app(self.backend, self.faults, self.stats, trace_url=self._trace_url),
            log_level=self._log_level,
            lifespan="off",
            access_log=False,
        )
        self._server = _InProcessServer(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            daemon=True,
            name="agentcore-memory-local",
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the local AgentCore Memory server failed to start")
            self._thread.join(0.01)

    def stop(self) -> None:
        """Stop answering and close the database (a file keeps everything committed)."""
        if self._server is not None and self._thread is not None:
            self._server.request_exit()
            self._thread.join(10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self._stopped = True
        self.backend.close()

    def client(self, service: str = "bedrock-agentcore", **kwargs: Any) -> Any:
        """A real boto3 client for ``service`` pointed at this server, with dummy credentials."""
        options: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region_name": self.region,
            **LOCAL_CREDENTIALS,
        }
        options.update(kwargs)
        return boto3.client(service, **options)

    def __enter__(self) -> LocalMemoryServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    *,
    host: str,
    port: int,
    db_path: str | Path,
    region: str = DEFAULT_REGION,
    faults: FaultInjector | None = None,
    log_level: str = "info",
    trace_url: str | None = None,
    conversation_reader: ConversationReader | None = None,
) -> None:
    """Run the server in the foreground until interrupted (the ``serve`` command).

    ``conversation_reader`` is as ``LocalMemoryServer``'s: the text as stored by default.

    Ctrl-C shuts the server down cleanly, then raises ``KeyboardInterrupt`` (uvicorn re-raises
    the signal it caught), so the command line can exit with the shell's status 130.
    """
    backend = Backend(db_path, region=region, conversation_reader=conversation_reader)
    app = create_app(backend, faults or FaultInjector(), CallStats(), trace_url=trace_url)
    sock = listening_socket(host, port)
    try:
        config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off")
        # Not uvicorn.run(): it swallows that KeyboardInterrupt, and `serve` would exit 0.
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        backend.close()
