"""Attacks on restore fidelity: interrupts, windows and summaries, side by side with Strands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from .test_restore_fidelity import Session, side_by_side

TWO_DELETES = [
    {"tool": "delete_file", "input": {"path": "a"}},
    {"tool": "delete_file", "input": {"path": "b"}},
]


@pytest.mark.parametrize(
    "answer", [{"answer": "yes", "reverse": True}, {"answer": "yes", "only": 1}]
)
def test_two_interrupts_answered_out_of_order_or_partly(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str, answer: dict[str, Any]
) -> None:
    program: list[Session] = [
        ([TWO_DELETES], ["do both"]),
        (["done", "done again"], [answer, {"answer": "yes"}]),
        (["bye"], ["thanks"]),
    ]
    side_by_side(program, tmp_path, server, memory_id)


def test_an_interrupt_answered_with_a_prompt(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str
) -> None:
    program: list[Session] = [
        ([{"tool": "delete_file", "input": {"path": "x"}}], ["do it"]),
        (["done"], [{"refused": "something else"}, {"answer": "no"}]),
        (["bye"], ["thanks"]),
    ]
    side_by_side(program, tmp_path, server, memory_id)


def test_an_interrupt_pending_across_two_restarts(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str
) -> None:
    program: list[Session] = [
        ([{"tool": "add", "input": {"a": 1, "b": 2}}], ["do it"]),
        ([], []),
        (["done"], [{"answer": "yes"}]),
        ([], []),
    ]
    side_by_side(program, tmp_path, server, memory_id, fresh=(1, 2))


@pytest.mark.parametrize("manager", ["window:2", "window:3"])
def test_structured_output_then_a_small_window_overflows(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str, manager: str
) -> None:
    weather = {"tool": "Weather", "input": {"city": "Oslo", "temp": 3}}
    program: list[Session] = [
        ([weather], [{"structured": "weather?"}]),
        ([{"overflow": True}, "a1", "a2"], ["p1", "p2"]),
        (["a3"], ["p3"]),
        ([], []),
    ]
    side_by_side(program, tmp_path, server, memory_id, manager=manager)


@pytest.mark.parametrize("batch_size", [1, 10])
def test_summaries_with_tool_pairs_on_the_boundary(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str, batch_size: int
) -> None:
    echo = {"tool": "echo", "input": {"text": "hi"}}
    program: list[Session] = [
        ([echo, "a1", echo, "a2"], ["p1", "p2"]),
        ([{"overflow": True}, "summary one", echo, "a3"], ["p3"]),
        ([echo, {"overflow": True}, "summary two", "a4", echo, "a5"], ["p4", "p5"]),
        ([], []),
    ]
    side_by_side(program, tmp_path, server, memory_id, manager="summary:1", batch_size=batch_size)


@pytest.mark.parametrize(
    "written_by_sdk", [(0,), (0, 1)], ids=["ours-answers-the-interrupt", "the-sdk-answers-it"]
)
def test_a_session_the_sdk_wrote_restores_as_with_strands(
    tmp_path: Path, server: LocalMemoryServer, memory_id: str, written_by_sdk: tuple[int, ...]
) -> None:
    """Tool turns and an interrupt written by the SDK's manager, then restored by ours."""
    echo = {"tool": "echo", "input": {"text": "hi"}}
    program: list[Session] = [
        ([echo, "a1", {"tool": "delete_file", "input": {"path": "x"}}], ["p1", "p2"]),
        (["done"], [{"answer": "yes"}]),
        (["bye"], ["thanks"]),
        ([], []),
    ]
    side_by_side(program, tmp_path, server, memory_id, sdk=written_by_sdk)
