"""The server's connections send each answer at once, on uvloop and on asyncio's own loop.

Without ``TCP_NODELAY`` an answer written in two parts waits for the client's delayed ACK
(about 40 ms a call on asyncio's loop); benchmarks/request_latency.py measures the latency,
these tests check the socket option itself.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap

from agentcore_memory_otel.local.server import listening_socket

# In a child process with uvloop unimportable, so that uvicorn runs asyncio's own loop (as on
# an install without uvicorn[standard], or on Windows); prints TCP_NODELAY of each connection
# the server holds open while a client keeps one alive.
_PROBE = textwrap.dedent(
    """
    import http.client, socket, sys
    sys.modules["uvloop"] = None
    from agentcore_memory_otel.local import LocalMemoryServer

    with LocalMemoryServer() as server:
        host, port = server.endpoint_url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port))
        conn.request("GET", "/console/api/config")
        conn.getresponse().read()
        state = server._server.server_state
        print("loop", type(server._server.servers[0]._loop).__module__)
        for protocol in state.connections:
            sock = protocol.transport.get_extra_info("socket")
            print("nodelay", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        conn.close()
    """
)


def test_the_listening_socket_is_tcp_with_nodelay() -> None:
    sock = listening_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()


def test_connections_on_asyncios_own_loop_have_nodelay() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split("\n")
    assert "loop asyncio.unix_events" in out
    flags = [line for line in out if line.startswith("nodelay")]
    assert flags, out
    assert all(line != "nodelay 0" for line in flags), out
