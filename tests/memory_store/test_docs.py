"""The snippets of docs/memory-store.md run as written, in order, in one interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "memory-store.md"


def test_the_snippets_run(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 2
    script = tmp_path / "snippets.py"
    script.write_text("\n".join(blocks) + "\nprint([s.name for s in stores])\n")
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "['Ada likes sushi with tuna']",
        "['preferences', 'facts', 'summaries']",
    ]
