"""The snippets of docs/data-control.md's "Content filter" and "Binary content" run as written,
in order, in one interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-control.md"


def test_the_snippets_run(tmp_path: Path) -> None:
    text = DOC.read_text()
    own = text[text.index("\n## Content filter\n") : text.index("\n## Erase\n")]
    blocks = re.findall(r"```python\n(.*?)```", own, flags=re.S)
    assert len(blocks) == 3
    script = tmp_path / "snippets.py"
    script.write_text("\n".join(blocks))
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "I am jane@example.com, card 4111 1111 1111 1111",
        "I am [EMAIL], card [CARD]",
        "[NAME] <[EMAIL]>",
        "[{'text': '[image: png, 5008 bytes]'}]",
    ]


def test_the_printed_outputs_are_the_ones_documented() -> None:
    text = DOC.read_text()
    assert "I am [EMAIL], card [CARD]\n```" in text
    assert "prints `[NAME] <[EMAIL]>`" in text
    assert "prints `[{'text': '[image: png, 5008 bytes]'}]`" in text
