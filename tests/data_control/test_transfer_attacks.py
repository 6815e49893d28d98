"""Import files as they reach a user: edited on Windows, holding text the API counts its own way."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel.cli.main import main
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.data_control import export_events, import_events
from agentcore_memory_otel.session.data_control.lines import LineError

from ..support import RETRIES
from .conftest import NO_PACING


def _payloads(client: Any, memory_id: str, session: str) -> list[Any]:
    page = client.list_events(
        memoryId=memory_id, actorId="eve", sessionId=session, includePayloads=True
    )
    return [event["payload"] for event in page["events"]]


def test_an_event_the_service_stored_imports_though_its_escaped_json_is_over_10_mb(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    # 1.8 million "é": 3.6 MB as the service counts (UTF-8), 10.8 MB as \\u00e9 escapes.
    client = server.client(config=RETRIES)
    payload = [{"blob": {"text": "\u00e9" * 1_800_000}}]
    client.create_event(
        memoryId=memory_id,
        actorId="eve",
        sessionId="wide",
        eventTimestamp=time.time(),
        payload=payload,
    )
    path = tmp_path / "wide.jsonl"
    export_events(memory_id, "eve", "wide", output=path, client=client, rate_limits=NO_PACING)
    assert path.stat().st_size > 10 * 1024 * 1024
    report = import_events(
        path, memory_id=memory_id, session_id="wide2", client=client, rate_limits=NO_PACING
    )
    assert report.events == 1 and report.calls == {"CreateEvent": 1}
    assert _payloads(client, memory_id, "wide2") == [payload]


def test_an_export_saved_with_a_byte_order_mark_and_crlf_imports(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    for text in ("first", "second"):
        client.create_event(
            memoryId=memory_id,
            actorId="eve",
            sessionId="bom",
            eventTimestamp=time.time(),
            payload=[{"conversational": {"role": "USER", "content": {"text": text}}}],
        )
    path = tmp_path / "bom.jsonl"
    export_events(memory_id, "eve", "bom", output=path, client=client, rate_limits=NO_PACING)
    lines = path.read_text().splitlines()
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    report = import_events(
        path, memory_id=memory_id, session_id="bom2", client=client, rate_limits=NO_PACING
    )
    assert report.calls == {"CreateEvent": 2}
    with path.open(encoding="utf-8") as stream:  # a stream still holding the mark
        import_events(
            stream, memory_id=memory_id, session_id="bom3", client=client, rate_limits=NO_PACING
        )
    assert _payloads(client, memory_id, "bom2") == _payloads(client, memory_id, "bom")
    assert _payloads(client, memory_id, "bom3") == _payloads(client, memory_id, "bom")


def test_an_export_with_a_branch_whose_root_was_deleted_is_refused_naming_the_branch(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    kw: dict[str, Any] = {"memoryId": memory_id, "actorId": "eve", "sessionId": "first"}
    text = [{"conversational": {"role": "USER", "content": {"text": "x"}}}]
    root = client.create_event(**kw, eventTimestamp=time.time(), payload=text)["event"]
    client.create_event(
        **kw,
        eventTimestamp=time.time() + 0.01,
        payload=text,
        branch={"name": "alt", "rootEventId": root["eventId"]},
    )
    client.delete_event(**kw, eventId=root["eventId"])
    path = tmp_path / "first.jsonl"
    export_events(memory_id, "eve", "first", output=path, client=client, rate_limits=NO_PACING)
    with pytest.raises(LineError, match=r"line 1: .* deleted at the source.*\(branch 'alt'\)"):
        import_events(path, memory_id=memory_id, session_id="first2", client=client)
    # Nothing was sent: the whole file is checked first.
    sessions = client.list_sessions(memoryId=memory_id, actorId="eve")["sessionSummaries"]
    assert [s["sessionId"] for s in sessions] == ["first"]


@pytest.mark.parametrize(
    ("encoding", "column"), [("utf-16", 1), ("latin-1", None)], ids=["utf-16", "latin-1"]
)
def test_an_export_saved_in_another_encoding_is_refused_by_line_with_exit_1(
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    encoding: str,
    column: int | None,
) -> None:
    client = server.client(config=RETRIES)
    for text in ("first", "caf\u00e9"):
        client.create_event(
            memoryId=memory_id,
            actorId="eve",
            sessionId="enc",
            eventTimestamp=time.time(),
            payload=[{"conversational": {"role": "USER", "content": {"text": text}}}],
        )
    path = tmp_path / "enc.jsonl"
    export_events(memory_id, "eve", "enc", output=path, client=client, rate_limits=NO_PACING)
    # An editor re-saving it: the escaped é written as itself, in the editor's encoding.
    path.write_bytes(path.read_text().replace("\\u00e9", "\u00e9").encode(encoding))
    argv = ["import", "--memory-id", memory_id, "--session-id", "enc2", "--input", str(path)]
    status = main([*argv, "--endpoint-url", server.endpoint_url])
    err = capsys.readouterr().err
    line = 1 if encoding == "utf-16" else 2  # the first line is ASCII, so Latin-1 as well
    assert status == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{path}: line {line}: not UTF-8 (byte " in err and "nothing was imported" in err
    if column is not None:
        assert f"at column {column});" in err
    sessions = client.list_sessions(memoryId=memory_id, actorId="eve")["sessionSummaries"]
    assert [s["sessionId"] for s in sessions] == ["enc"]


def test_a_session_imported_into_itself_is_refused_until_its_events_are_gone(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    kw: dict[str, Any] = {"memoryId": memory_id, "actorId": "eve", "sessionId": "self"}
    for i in range(3):
        client.create_event(
            **kw,
            eventTimestamp=time.time() + i / 100,
            payload=[{"conversational": {"role": "USER", "content": {"text": f"turn {i}"}}}],
        )
    before = _payloads(client, memory_id, "self")
    path = tmp_path / "self.jsonl"
    export_events(memory_id, "eve", "self", output=path, client=client, rate_limits=NO_PACING)
    with pytest.raises(ValueError, match=r"eve/self .* still holds 3 of the file's 3 event"):
        import_events(path, memory_id=memory_id, client=client, rate_limits=NO_PACING)
    assert _payloads(client, memory_id, "self") == before  # nothing stored twice
    for event in client.list_events(**kw)["events"]:  # lost by accident: restore the backup
        client.delete_event(**kw, eventId=event["eventId"])
    for _ in range(2):  # and again, as after a kill: nothing twice
        report = import_events(path, memory_id=memory_id, client=client, rate_limits=NO_PACING)
        assert report.calls == {"ListEvents": 1, "CreateEvent": 3}
    assert _payloads(client, memory_id, "self") == before
