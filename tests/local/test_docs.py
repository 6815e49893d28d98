"""The Python snippets of docs/local-server.md run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "local-server.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)


def test_the_guide_example_extracts_and_retrieves(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(BLOCKS[0], str(DOC), "exec"), {})
    assert capsys.readouterr().out.strip() == "The user likes sushi with tuna. 1.0"


def test_the_model_extractor_snippet_builds_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    namespace: dict[str, Any] = {}
    exec(compile(BLOCKS[1], str(DOC), "exec"), namespace)
    server = namespace["server"]
    try:
        assert type(server.backend.extraction.extractor).__name__ == "ModelExtractor"
    finally:
        server.stop()
