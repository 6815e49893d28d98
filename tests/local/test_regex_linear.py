"""No regular expression the server runs backtracks super-linearly on hostile input.

Every pattern the server compiles itself is run (``search`` and ``fullmatch``) on adversarial
100,000-character texts (the longest conversational text an event may carry). botocore's model
patterns are run as ``shapes`` runs them, with ``fullmatch`` only, at the longest value the
server ever matches them against: the model's maximum length, which ``shapes`` checks first.
A quadratic pattern takes seconds to a minute on these inputs (``_FAVOURITE`` took 13 s before
issue 22); a linear one a few milliseconds, so the bound below is loose enough for a loaded
machine and still catches one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from agentcore_memory_otel.local import extraction, extractors, model, relevance
from agentcore_memory_otel.local.console import api, query
from agentcore_memory_otel.local.strategies import StrategyType
from agentcore_memory_otel.wire import limits

LENGTH = limits.TEXT_MAX_CHARS
BOUND_SECONDS = 1.0
# Repeated to LENGTH: runs of what the patterns match (words, spaces, separators, the
# extractor's trigger phrases), each also followed by a character that makes the match fail.
UNITS = (
    "a",
    " ",
    "\t",
    "a ",
    "a-",
    "a:",
    "a/",
    "a:b/",
    "{a",
    "my ",
    "my a ",
    "my favourite ",
    "my favorite a ",
    "I ",
    "I really ",
    "I don't like ",
    "I am ",
    "é",
    "0",
)
TAILS = ("", "!", "\n")


def _own_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for module in (extractors, extraction, relevance, api, query, limits):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{module.__name__}.{name}", value
            elif isinstance(value, tuple):
                for index, item in enumerate(value):
                    if isinstance(item, tuple) and item and isinstance(item[0], re.Pattern):
                        yield f"{module.__name__}.{name}[{index}]", item[0]


# The model's actor, namespace and event id patterns are kept in limits.py for the client's own
# checks (fullmatch only, the length bounded first where the model bounds it); they are measured
# with the model's patterns below.
MODEL_COPIES = {"ACTOR_ID_PATTERN", "NAMESPACE_PATTERN", "EVENT_ID_PATTERN"}
OWN = [(n, p) for n, p in _own_patterns() if n.rsplit(".", 1)[1] not in MODEL_COPIES]


def _model_patterns() -> dict[str, int]:
    """Each pattern in a served operation's input, with the longest value it is matched on."""
    found: dict[str, int] = {}

    def walk(shape: Any, seen: set[str]) -> None:
        if shape.name in seen:
            return
        seen = seen | {shape.name}
        pattern = shape.metadata.get("pattern")
        if pattern:
            longest = min(shape.metadata.get("max", LENGTH), LENGTH)
            found[pattern] = max(found.get(pattern, 0), longest)
        for child in getattr(shape, "members", {}).values():
            walk(child, seen)
        for attr in ("member", "key", "value"):
            if hasattr(shape, attr):
                walk(getattr(shape, attr), seen)

    for name in model.memory_operations():
        shape = model.operation(name).model.input_shape
        if shape is not None:
            walk(shape, set())
    return found


MODEL = _model_patterns()


def _inputs(length: int) -> Iterator[str]:
    for unit in UNITS:
        body = (unit * (length // len(unit) + 1))[: max(length - 1, 1)]
        for tail in TAILS:
            yield body + tail


def _slowest(pattern: re.Pattern[str], length: int, *, search: bool) -> tuple[float, str]:
    """The longest time one input took, and its start; ``search`` adds a search per input."""
    worst, text_of_worst = 0.0, ""
    for text in _inputs(length):
        started = time.perf_counter()
        if search:
            pattern.search(text)
        pattern.fullmatch(text)
        took = time.perf_counter() - started
        if took > worst:
            worst, text_of_worst = took, text[:20]
    return worst, text_of_worst


def test_every_pattern_is_found() -> None:
    names = {name.rsplit(".", 1)[1] for name, _ in OWN}
    assert {"_FAVOURITE", "_IS", "_LIKES", "_FACT", "_SENTENCE", "_WORD", "_DIGITS"} <= names
    assert len(MODEL) >= 10


@pytest.mark.parametrize(("name", "pattern"), OWN, ids=[name for name, _ in OWN])
def test_the_servers_own_patterns_stay_linear(name: str, pattern: re.Pattern[str]) -> None:
    took, text = _slowest(pattern, LENGTH, search=True)
    assert took < BOUND_SECONDS, f"{name} took {took:.2f} s on {text!r}..."


@pytest.mark.parametrize("pattern", sorted(MODEL), ids=lambda p: p[:40])
def test_model_patterns_stay_fast_at_the_longest_value_checked(pattern: str) -> None:
    took, text = _slowest(re.compile(pattern, re.ASCII), MODEL[pattern], search=False)
    assert took < BOUND_SECONDS, f"{pattern} took {took:.2f} s on {text!r}..."


def test_a_whole_extraction_of_the_longest_hostile_message_is_fast() -> None:
    """The extractor's whole path (every pattern, every sentence), not one pattern at a time."""
    extractor = extractors.RuleBasedExtractor()
    for unit in ("my favourite ", "my favorite a ", "I really ", "my a ", " "):
        message = extractors.Message("USER", (unit * (LENGTH // len(unit) + 1))[:LENGTH])
        for kind in (StrategyType.USER_PREFERENCE, StrategyType.SEMANTIC):
            started = time.perf_counter()
            extractor.extract(kind, [message], None)
            took = time.perf_counter() - started
            assert took < BOUND_SECONDS, f"{kind} on {unit!r}... took {took:.2f} s"
