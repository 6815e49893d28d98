"""The erase, export and import commands, in-process and killed mid-erase in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentcore_memory_otel.cli.main import main
from agentcore_memory_otel.session.data_control import erase

from .conftest import ALICE, BOB, NO_PACING, World, events

ROOT = Path(__file__).parents[2]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def _target(world: World, actor: str = ALICE) -> list[str]:
    return [
        "--memory-id",
        world.memory_id,
        "--actor-id",
        actor,
        "--endpoint-url",
        world.server.endpoint_url,
    ]


def test_erase_needs_a_dry_run_or_yes(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "erase", "--memory-id", "m-0123456789", "--actor-id", "a")
    assert status == 2
    assert "one of the arguments --dry-run --yes is required" in err
    assert len(err.strip().splitlines()) == 2


def test_erase_dry_run_then_yes(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    journal = ["--journal", str(world.journal)]
    status, out, _ = _run(capsys, "erase", *_target(world), *journal, "--dry-run")
    assert status == 0
    assert out.startswith("would erase: ")
    assert "branch=what-if" in out and "  record  /strategies/" in out
    assert events(world, ALICE, "s1")
    status, out, err = _run(capsys, "erase", *_target(world), *journal, "--yes")
    assert status == 0, err
    assert out.startswith("erased: ") and "verified: nothing remains" in out
    assert "erase: events" in err  # progress on stderr
    status, out, _ = _run(capsys, "erase", *_target(world), *journal, "--yes", "--json")
    report = json.loads(out)
    assert report["complete"] and report["plan"]["events"] == []


def test_export_and_import_commands(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bob.jsonl"
    status, _, err = _run(capsys, "export", *_target(world, BOB), "--output", str(path))
    assert status == 0, err
    assert "exported" in err and "of 3 session(s)" in err
    lines = path.read_text().splitlines()
    status, out, err = _run(
        capsys,
        "import",
        "--memory-id",
        world.memory_id,
        "--actor-id",
        "bob-copy",
        "--endpoint-url",
        world.server.endpoint_url,
        "--input",
        str(path),
    )
    assert status == 0, err
    assert out.startswith(f"imported {len(lines)} event(s)")
    assert len(events(world, "bob-copy", "s2")) == len(events(world, BOB, "s2"))


def test_import_of_a_bad_file_says_which_line_in_one_line(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"actorId": "a"}\n')
    argv = ["import", "--memory-id", world.memory_id, "--endpoint-url", world.server.endpoint_url]
    status, _, err = _run(capsys, *argv, "--input", str(path))
    assert status == 1
    assert err.startswith(f"agentcore-memory-otel import: {path}: line 1: sessionId must be")
    assert err.strip().endswith("nothing was imported") and "Traceback" not in err
    status, _, err = _run(capsys, *argv, "--input", str(tmp_path / "missing.jsonl"))
    assert status == 1 and "cannot read" in err and len(err.strip().splitlines()) == 1


def test_erase_with_a_journal_that_is_not_there(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope.db"
    status, _, err = _run(capsys, "erase", *_target(world), "--journal", str(missing), "--yes")
    assert status == 1 and "no such file" in err and "Traceback" not in err
    assert events(world, ALICE, "s1")  # nothing was touched


def test_an_erase_killed_mid_way_finishes_when_run_again(world: World) -> None:
    """SIGKILL the erase command while it deletes; a second run finishes, and Bob stays."""
    total = sum(len(events(world, ALICE, s)) for s in ("s1", "s2", "s3"))
    bob = {s: events(world, BOB, s) for s in ("s1", "s2", "s3")}
    world.server.faults.set_latency(0.05, "DeleteEvent")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentcore_memory_otel",
            "erase",
            *_target(world),
            "--journal",
            str(world.journal),
            "--yes",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while world.server.stats.count("DeleteEvent", outcome="success") < 3:
        assert child.poll() is None, "the erase ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    deleted = world.server.stats.count("DeleteEvent", outcome="success")
    left = sum(len(events(world, ALICE, s)) for s in ("s1", "s2", "s3"))
    assert 0 < left < total and deleted < total
    world.server.faults.reset()
    report = erase(
        world.memory_id,
        ALICE,
        client=world.client,
        control_client=world.control,
        journal_path=world.journal,
        rate_limits=NO_PACING,
    )
    assert report.complete
    assert len(report.plan.events) == left  # the rerun deletes only what the kill left
    assert all(events(world, ALICE, s) == [] for s in ("s1", "s2", "s3"))
    assert {s: events(world, BOB, s) for s in ("s1", "s2", "s3")} == bob


def test_erase_refused_getmemory_says_what_to_do(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.server.faults.fail_next("GetMemory", 5, status=403)
    status, _, err = _run(capsys, "erase", *_target(world), "--yes")
    assert status == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith("agentcore-memory-otel erase: GetMemory was refused")
    assert "--no-records" in lines[1] and len(lines) == 2
    assert events(world, ALICE, "s1")  # nothing was touched
    world.server.faults.reset()
    status, out, _ = _run(capsys, "erase", *_target(world), "--yes", "--no-records")
    assert status == 0 and "0 record(s)" in out


def test_import_of_an_empty_file_says_so(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    argv = ["import", "--memory-id", world.memory_id, "--endpoint-url", world.server.endpoint_url]
    status, _, err = _run(capsys, *argv, "--input", str(path))
    assert status == 1 and err.strip().endswith("holds no event: nothing was imported")
