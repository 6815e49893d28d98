"""Restores hold what Strands' own ``FileSessionManager`` restores, step for step.

Each program runs twice, once on a ``FileSessionManager`` and once on ours: a list of
sessions, each a fresh session manager and agent (a restore, in a fresh process where it
matters) running a few steps. After the restore and after every step, what the agent holds
(messages, state, conversation-manager state, interrupt state) must be the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from . import restore_child

CHILD = Path(__file__).with_name("restore_child.py")
ROOT = Path(__file__).parents[2]

Session = tuple[list[Any], list[Any]]
"""One process's life: the model's replies and the steps it runs after restoring."""


def _in_child(spec: dict[str, Any]) -> list[dict[str, Any]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, str(CHILD), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reports: list[dict[str, Any]] = json.loads(done.stdout.splitlines()[-1])
    return reports


def side_by_side(
    program: list[Session],
    tmp_path: Path,
    server: LocalMemoryServer,
    memory_id: str,
    *,
    manager: str = "null",
    fresh: tuple[int, ...] = (),
    batch_size: int = 1,
    sdk: tuple[int, ...] = (),
) -> list[list[dict[str, Any]]]:
    """Run ``program`` on both session managers; sessions in ``fresh`` run ours in a child.

    Sessions in ``sdk`` run the bedrock-agentcore SDK's manager instead of ours (a user who
    switches from it restores what it wrote).

    Asserts that every snapshot matches; returns ours.
    """
    common = {"session": "s", "manager": manager}
    file_spec = {**common, "backend": "file", "storage_dir": str(tmp_path)}
    ours_spec = {
        **common,
        "backend": "ours",
        "endpoint": server.endpoint_url,
        "memory_id": memory_id,
        "batch_size": batch_size,
    }
    ours_reports = []
    for index, (script, steps) in enumerate(program):
        expected = restore_child.run({**file_spec, "script": script, "steps": steps})
        spec = {**ours_spec, "script": script, "steps": steps}
        if index in sdk:
            spec["backend"] = "sdk"
        got = _in_child(spec) if index in fresh else restore_child.run(spec)
        assert got == expected, f"session {index} differs from FileSessionManager"
        ours_reports.append(got)
    return ours_reports


def _texts(report: dict[str, Any]) -> list[str]:
    return [
        json.dumps(block, sort_keys=True)
        for message in report["messages"]
        for block in message["content"]
    ]


@pytest.mark.parametrize("batch_size", [1, 10])
@pytest.mark.parametrize("tool", ["delete_file", "add"], ids=["tool-interrupt", "hook-interrupt"])
def test_an_interrupt_is_resumed_after_a_restore(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str, tool: str, batch_size: int
) -> None:
    call = {"tool": tool, "input": {"path": "x"} if tool == "delete_file" else {"a": 1, "b": 2}}
    program: list[Session] = [
        ([call], ["do it"]),  # stops on the interrupt
        (["done"], [{"answer": "yes"}]),  # a new process answers it
        (["bye"], ["thanks"]),
    ]
    reports = side_by_side(program, tmp_path, server, memory_id, fresh=(1,), batch_size=batch_size)
    restored = reports[1][0]
    assert restored["interrupted"] and restored["messages"][-1]["role"] == "assistant"
    answered = reports[1][1]
    results = [
        b["toolResult"] for m in answered["messages"] for b in m["content"] if "toolResult" in b
    ]
    assert [r["status"] for r in results] == ["success"]  # ran once, and nothing says otherwise
    assert not answered["interrupted"]
    # The next restore reads the real result, stored after its toolUse.
    assert reports[2][0]["messages"] == answered["messages"]


def test_a_structured_output_turn_is_restored_as_it_ran(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str
) -> None:
    weather = {"tool": "Weather", "input": {"city": "Oslo", "temp": 3}}
    program: list[Session] = [
        ([weather], [{"structured": "weather in Oslo?"}]),
        (["ok"], ["thanks"]),
        ([], []),
    ]
    reports = side_by_side(program, tmp_path, server, memory_id, fresh=(1,))
    restored = reports[1][0]
    assert restored["messages"] == reports[0][-1]["messages"]  # no note added
    assert restored["messages"][-1]["content"][0]["toolResult"]["status"] == "success"


@pytest.mark.parametrize("manager", ["window:4", "summary:2"])
def test_restores_keep_the_conversation_managers_count(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str, manager: str
) -> None:
    weather = {"tool": "Weather", "input": {"city": "Oslo", "temp": 3}}
    overflow = {"overflow": True}
    program: list[Session] = [
        ([weather, "a1"], [{"structured": "weather?"}, "p1"]),
        (["a2", "a3"], ["p2", "p3"]),
        ([overflow, "summary one", "a4", "a5"], ["p4", "p5"]),
        ([overflow, "summary two", "a6"], ["p6"]),
        ([], []),
    ]
    if manager.startswith("window"):
        # One turn per process: each restore reads the window the last one left.
        program = [([weather], [{"structured": "weather?"}])]
        program += [([f"a{n}"], [f"p{n}"]) for n in range(1, 6)] + [([], [])]
    reports = side_by_side(program, tmp_path, server, memory_id, manager=manager, fresh=(2,))
    for report in reports:
        first = report[0]["messages"]
        assert not first or first[0]["role"] == "user"


@pytest.mark.parametrize(
    "script",
    [[{"crash": True}], [{"tool": "echo", "input": {"text": "hi"}}, {"crash": True}]],
    ids=["before-the-reply", "after-the-tool-ran"],
)
def test_a_turn_cut_short_restores_as_with_strands(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str, script: list[Any]
) -> None:
    program: list[Session] = [
        (["hello", *script], ["first", {"crash": "second"}]),
        (["fine"], ["third"]),  # the next prompt follows what was stored, as with Strands
        ([], []),
    ]
    reports = side_by_side(program, tmp_path, server, memory_id, fresh=(1,))
    assert reports[1][0]["messages"] == reports[0][-1]["messages"]  # nothing added
