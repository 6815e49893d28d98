"""The README's quick start, extracted and run as written: offline, without AWS credentials."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
TRACING_LINE = "trace.set_tracer_provider(TracerProvider())"
WARNING = "agentcore_memory_otel: trace stamping is on, but no OpenTelemetry tracer provider"


def quick_start_block() -> str:
    """The first Python block under the README's "Quick start" heading."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Quick start") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "no python block in the Quick start section"
    return match.group(1)


def without_aws_credentials(home: Path) -> dict[str, str]:
    """The environment with every AWS setting removed and no credentials to find anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def run(script: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=without_aws_credentials(cwd),
    )


def test_quick_start_runs_twice_and_the_second_run_restores_the_first(tmp_path: Path) -> None:
    script = tmp_path / "quickstart.py"
    script.write_text(quick_start_block(), encoding="utf-8")
    first, second = run(script, tmp_path), run(script, tmp_path)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "restored 0 messages" in first.stdout
    assert "restored 2 messages" in second.stdout  # the first run's user and assistant turn
    traces = [
        re.findall(r"trace id of the newest event: ([0-9a-f]{32})$", run.stdout, re.M)
        for run in (first, second)
    ]
    assert all(len(found) == 1 for found in traces), (first.stdout, second.stdout)
    assert traces[0] != traces[1]  # each run's agent call is its own trace
    assert WARNING not in first.stderr + second.stderr


def test_without_a_tracer_provider_the_library_warns_once(tmp_path: Path) -> None:
    block = quick_start_block()
    assert TRACING_LINE in block
    script = tmp_path / "untraced.py"
    untraced = block.replace(TRACING_LINE, "")
    # Without tracing nothing is stamped: print what the newest event holds instead.
    newest = 'print(events["events"][0]["metadata"])\n'
    untraced = re.sub(r'print\("\\ntrace id.*\n', newest, untraced)
    script.write_text(untraced, encoding="utf-8")
    completed = run(script, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.count(WARNING) == 1, completed.stderr
    assert "traceId" not in completed.stdout
