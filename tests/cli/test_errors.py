"""Every everyday CLI mistake ends in one or two lines that say what to do, never a traceback.

Exit status 2 for a wrong command line (checked before anything starts), 1 for a failure met
while running.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import free_port, wait_for_port
from .conftest import Cli

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
UNKNOWN_MEMORY = "no_such_memory-a1B2c3D4e5"
EVENTS = ("events", "--trace-id", TRACE, "--memory-id")

# (case, argv with {endpoint}, {dead_port}, {memory_id} filled in, exit status, what stderr says)
CASES: list[tuple[str, list[str], int, str]] = [
    (
        "events against a server that is not running",
        [
            *EVENTS,
            "{memory_id}",
            "--actor-id",
            "a",
            "--endpoint-url",
            "http://127.0.0.1:{dead_port}",
        ],
        1,
        "no AgentCore Memory server at http://127.0.0.1:{dead_port} — start one with "
        "`agentcore-memory-otel serve --port {dead_port}`",
    ),
    (
        "events against an IPv6 loopback endpoint where no server runs",
        [*EVENTS, "{memory_id}", "--actor-id", "a", "--endpoint-url", "http://[::1]:{dead_port}"],
        1,
        "no AgentCore Memory server at http://[::1]:{dead_port} — start one with "
        "`agentcore-memory-otel serve --host ::1 --port {dead_port}`",
    ),
    (
        "events with a memory id that does not exist",
        [*EVENTS, UNKNOWN_MEMORY, "--actor-id", "a", "--endpoint-url", "{endpoint}"],
        1,
        f"Memory {UNKNOWN_MEMORY} not found (ListSessions): check --memory-id",
    ),
    (
        "events with a malformed memory id",
        ["events", "--trace-id", TRACE, "--memory-id", "mem-1", "--actor-id", "a"],
        2,
        "argument --memory-id: 'mem-1' is not a memory id",
    ),
    (
        "events with no credentials",
        ["events", "--trace-id", TRACE, "--memory-id", "{memory_id}", "--actor-id", "a"],
        1,
        "reading events from https://bedrock-agentcore.us-east-1.amazonaws.com needs AWS "
        "credentials and none were found",
    ),
    (
        "events with a trace id in no known form",
        ["events", "--trace-id", "4bf92f35", "--memory-id", "{memory_id}", "--actor-id", "a"],
        2,
        "argument --trace-id: not a trace id: '4bf92f35'; give 32 hex digits",
    ),
    (
        "demo --batch-size 0",
        ["demo", "--batch-size", "0"],
        2,
        "argument --batch-size: expected a whole number from 1 to 100, got '0'",
    ),
    (
        "demo --aws without credentials",
        ["demo", "--aws"],
        1,
        "--aws needs AWS credentials and none were found",
    ),
    (
        "serve --db in a folder that does not exist",
        ["serve", "--db", "/nonexistent/dir/x.db"],
        2,
        "argument --db: cannot create /nonexistent/dir/x.db: the folder /nonexistent/dir "
        "does not exist",
    ),
    (
        "serve --fail-next with a status that cannot be injected",
        ["serve", "--fail-next", "CreateEvent:2:418"],
        2,
        "STATUS 418 in 'CreateEvent:2:418': status must be one of [402, 403, 409, 429, 500]",
    ),
    (
        "serve --fail-next with a typo'd operation",
        ["serve", "--fail-next", "CreatEvent:2"],
        2,
        "unknown operation 'CreatEvent'; did you mean CreateEvent? valid operations: "
        "BatchCreateMemoryRecords,",
    ),
    (
        "serve --fail-next with a count that is not a number",
        ["serve", "--fail-next", "CreateEvent:x"],
        2,
        "COUNT in 'CreateEvent:x': expected a whole number of at least 1, got 'x'",
    ),
    (
        "serve --op-latency with a typo'd operation",
        ["serve", "--op-latency", "ListEvent=40"],
        2,
        "unknown operation 'ListEvent'; did you mean ListEvents?",
    ),
    (
        "serve on a port in use",
        ["serve", "--port", "{endpoint_port}", "--db", ":memory:"],
        1,
        "cannot listen on 127.0.0.1:{endpoint_port}",
    ),
    (
        "events with an endpoint without its scheme",
        [*EVENTS, "{memory_id}", "--endpoint-url", "127.0.0.1:{endpoint_port}"],
        2,
        "argument --endpoint-url: '127.0.0.1:{endpoint_port}' has no scheme: add http:// "
        "(e.g. http://127.0.0.1:{endpoint_port})",
    ),
    (
        "demo with an endpoint without its scheme",
        ["demo", "--endpoint-url", "localhost:{endpoint_port}"],
        2,
        "'localhost:{endpoint_port}' has no scheme: add http://",
    ),
    (
        "serve with a host that is no address",
        ["serve", "--host", "999.1.1.1", "--db", ":memory:"],
        1,
        "cannot listen on 999.1.1.1: not an IP address or a host name that resolves; give "
        "--host an address of this machine",
    ),
    (
        "serve with an address of another machine",
        ["serve", "--host", "192.0.2.1", "--db", ":memory:"],  # TEST-NET-1: never local
        1,
        "192.0.2.1 is not an address of this machine: give --host one of its addresses",
    ),
    (
        "events with an endpoint port out of range",
        [*EVENTS, "{memory_id}", "--endpoint-url", "http://127.0.0.1:99999"],
        2,
        "argument --endpoint-url: 'http://127.0.0.1:99999': the port must be a whole number "
        "from 1 to 65535",
    ),
    (
        "events with an endpoint port that is not a number",
        [*EVENTS, "{memory_id}", "--endpoint-url", "http://127.0.0.1:port"],
        2,
        "the port must be a whole number from 1 to 65535",
    ),
    (
        "events with a unicode endpoint host",
        [*EVENTS, "{memory_id}", "--endpoint-url", "http://bücher.example"],
        2,
        "the host bücher.example is not ASCII; give its IDNA form",
    ),
    (
        "serve with a bracketed IPv6 host in use",
        ["serve", "--host", "[::1]", "--port", "{ipv6_busy_port}", "--db", ":memory:"],
        1,
        "cannot listen on ::1:{ipv6_busy_port}: Address already in use",
    ),
    (
        "an unknown command",
        ["sevre"],
        2,
        "argument COMMAND: invalid choice: 'sevre'",
    ),
]


@pytest.fixture
def ipv6_busy_port() -> Iterator[int]:
    """A port something listens on at ::1 (the test skips where this machine has no IPv6)."""
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as taken:
        try:
            taken.bind(("::1", 0))
        except OSError:
            pytest.skip("no IPv6 loopback on this machine")
        taken.listen()
        yield int(taken.getsockname()[1])


@pytest.fixture
def filled(
    server: LocalMemoryServer, memory_id: str, request: pytest.FixtureRequest
) -> dict[str, Any]:
    endpoint = server.endpoint_url
    argv = request.node.callspec.params.get("argv", []) if hasattr(request.node, "callspec") else []
    needs_ipv6 = any("{ipv6_busy_port}" in arg for arg in argv)
    return {
        "endpoint": endpoint,
        "endpoint_port": endpoint.rsplit(":", 1)[1],
        "dead_port": free_port(),
        "memory_id": memory_id,
        "ipv6_busy_port": request.getfixturevalue("ipv6_busy_port") if needs_ipv6 else 0,
    }


@pytest.mark.parametrize(("case", "argv", "status", "says"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.usefixtures("no_aws_credentials")
def test_mistake_gets_a_line_or_two(
    cli: Cli, filled: dict[str, Any], case: str, argv: list[str], status: int, says: str
) -> None:
    code, out, err = cli(*[arg.format(**filled) for arg in argv])
    assert code == status, (case, err)
    assert says.format(**filled) in err, (case, err)
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2, err
    assert out == ""  # nothing started before the check
    if "--host" in argv and "--port" not in argv:
        assert "--port" not in err  # the host is wrong, not the port


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        (
            "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE",
            "127.0.0.1:{endpoint_port}",
            "has no scheme: add http://",
        ),
        ("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "http://127.0.0.1:99999", "the port must be"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:x", "the port must be"),
        ("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "http://bücher.example", "is not ASCII"),
    ],
)
@pytest.mark.parametrize("command", ["events", "demo --aws"])
@pytest.mark.usefixtures("no_aws_credentials")
def test_a_malformed_endpoint_from_the_environment(
    cli: Cli,
    filled: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    variable: str,
    value: str,
    says: str,
) -> None:
    monkeypatch.setenv(variable, value.format(**filled))
    if command == "events":
        code, _, err = cli(*EVENTS, filled["memory_id"], "--actor-id", "a")
    else:  # --aws checks credentials first: give it some (they are never used)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
        code, _, err = cli("demo", "--aws")
    assert code == 1, err
    assert "unexpected" not in err and "Traceback" not in err
    assert f"{variable}: {value.format(**filled)!r}" in err, err
    assert says in err, err
    assert len(err.strip().splitlines()) <= 2, err


@pytest.mark.usefixtures("no_aws_credentials")
def test_https_to_a_plain_http_server(cli: Cli) -> None:
    """https:// to the local server: the TLS hello meets a plain HTTP answer."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def answer_in_plain_http() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return  # the listener closed: the test is over
                with connection:
                    connection.recv(4096)
                    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        threading.Thread(target=answer_in_plain_http, daemon=True).start()
        code, _, err = cli(*EVENTS, "abc-0123456789", "--endpoint-url", f"https://127.0.0.1:{port}")
    assert code == 1, err
    assert f"TLS with https://127.0.0.1:{port} failed (" in err, err
    assert f"the local server speaks plain HTTP: use http://127.0.0.1:{port}" in err, err
    assert "unexpected" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2, err


@pytest.mark.parametrize(
    ("host", "endpoint"),
    [
        ("127.0.0.1", "http://127.0.0.1:8765"),
        ("0.0.0.0", "http://127.0.0.1:8765"),  # every interface: a client calls loopback
        ("::", "http://[::1]:8765"),
        ("[::1]", "http://[::1]:8765"),  # as a URL writes it
        ("localhost", "http://localhost:8765"),
    ],
)
def test_serve_prints_an_endpoint_a_client_on_this_machine_can_call(
    host: str, endpoint: str
) -> None:
    from agentcore_memory_otel.cli import arguments
    from agentcore_memory_otel.cli.serve_command import client_endpoint
    from agentcore_memory_otel.wire.loopback import is_loopback

    printed = client_endpoint(arguments.listen_host(host), 8765)
    assert printed == endpoint
    assert is_loopback(printed)  # so `events` needs no AWS credentials against it


def test_ctrl_c_on_serve_exits_130_after_a_clean_shutdown(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "agentcore_memory_otel", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        wait_for_port(port, process)
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "Shutting down" in err  # uvicorn stopped cleanly before the exit
    assert (tmp_path / "agentcore-memory.db").exists()


def test_debug_shows_the_traceback(
    cli: Cli, filled: dict[str, Any], no_aws_credentials: None
) -> None:
    from botocore.exceptions import EndpointConnectionError

    argv = CASES[0][1] + ["--debug"]
    with pytest.raises(EndpointConnectionError):
        cli(*[arg.format(**filled) for arg in argv])


def test_version(cli: Cli) -> None:
    import agentcore_memory_otel

    code, out, _ = cli("--version")
    assert (code, out.strip()) == (0, f"agentcore-memory-otel {agentcore_memory_otel.__version__}")


def test_every_option_has_help_text() -> None:
    import argparse

    from agentcore_memory_otel.cli.main import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [
        f"{name} {'/'.join(action.option_strings) or action.dest}"
        for name, command in [("", parser), *commands.choices.items()]
        for action in command._actions
        if not action.help
    ]
    assert missing == []


def test_a_closed_pipe_ends_quietly(
    server: LocalMemoryServer, client: Any, memory_id: str, tmp_path: Path
) -> None:
    """``events --json | head``: the reader leaves early; no BrokenPipe traceback."""
    for i in range(5):  # about 150 kB of JSON: more than a pipe holds
        client.create_event(
            memoryId=memory_id,
            actorId="a",
            sessionId="s",
            eventTimestamp=1_700_000_000 + i,
            payload=[{"conversational": {"content": {"text": "x" * 30_000}, "role": "USER"}}],
            metadata={"traceId": {"stringValue": TRACE}},
        )
    rest = ("--actor-id", "a", "--endpoint-url", server.endpoint_url, "--json")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-m", "agentcore_memory_otel", *EVENTS, memory_id, *rest],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        assert reader.read(10)  # like `head -c 10`: read a little, then leave
    _, err = process.communicate(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert err == ""
    assert process.returncode == 1  # the output was cut short


def test_demo_help_tells_the_terminal_from_the_memory_console(cli: Cli) -> None:
    code, out, _ = cli("demo", "--help")
    text = " ".join(out.split())
    assert code == 0
    assert "traces are printed in this terminal as span trees" in text
    assert "the memory console (the local server's web page)" in text
    assert "traces go to the console" not in text


# Run as the console script runs, with a KeyboardInterrupt raised where a Ctrl-C can land while
# the command line is still loading: importing the command line, or an argument check's import.
_INTERRUPT_WHILE_IMPORTING = """
import sys

interrupted = sys.argv[1]

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == interrupted:
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv = ["agentcore-memory-otel", *sys.argv[2:]]
from agentcore_memory_otel.cli.entry import main
sys.exit(main())
"""


@pytest.mark.parametrize(
    ("module", "argv"),
    [
        ("agentcore_memory_otel.cli.main", ["serve"]),  # the command line itself
        ("agentcore_memory_otel.local.model", ["serve", "--fail-next", "CreateEvent"]),
        ("agentcore_memory_otel.local", ["serve", "--port", "1"]),  # the server, before it binds
    ],
)
def test_ctrl_c_while_starting_exits_130_without_a_traceback(
    module: str, argv: list[str], tmp_path: Path
) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", _INTERRUPT_WHILE_IMPORTING, module, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert finished.returncode == 130, finished.stderr
    assert "Traceback" not in finished.stderr and "KeyboardInterrupt" not in finished.stderr
    assert finished.stdout == ""


def test_the_command_line_loads_without_strands_or_boto3() -> None:
    """What loads before Ctrl-C is handled stays small: the package imports its names lazily."""
    probe = (
        "import sys, agentcore_memory_otel, agentcore_memory_otel.cli.main\n"
        "print(sorted(m for m in ('strands', 'boto3', 'opentelemetry') if m in sys.modules))\n"
        "print(sorted(set(agentcore_memory_otel.__all__) - set(dir(agentcore_memory_otel))))\n"
        "from agentcore_memory_otel import *\n"
        "print(AgentCoreMemorySessionManager.__module__)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert finished.stdout.splitlines() == [
        "[]",  # none of the heavy libraries
        "[]",  # every public name is listed
        "agentcore_memory_otel.session.manager",  # and resolves
    ], finished.stderr
