"""The package as a user gets it: sdist and wheel built, the wheel installed in a clean venv.

The virtual environment has no system site packages and no PYTHONPATH: everything comes from
the wheel and the package registry, so a missing dependency or package file fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import agentcore_memory_otel

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(*argv: str | Path, cwd: Path, timeout: float = 600) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1")
    completed = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )
    assert completed.returncode == 0, (argv, completed.stdout[-3000:], completed.stderr[-3000:])
    return completed.stdout


def test_wheel_installs_in_a_clean_venv_and_runs_the_demo(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so that the build leaves the checkout untouched
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", "*cache*", "*.egg-info", "*.db", "build", "dist", ".venv", "venv"
        ),
    )
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--outdir", dist, source, cwd=tmp_path)
    version = agentcore_memory_otel.__version__
    wheel = dist / f"agentcore_memory_otel-{version}-py3-none-any.whl"
    assert (dist / f"agentcore_memory_otel-{version}.tar.gz").is_file()
    files = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("py.typed", "cli/demo/__init__.py", "local/server.py", "testing.py"):
        assert f"agentcore_memory_otel/{needed}" in files, needed
    metadata = (
        zipfile.ZipFile(wheel).read(f"agentcore_memory_otel-{version}.dist-info/METADATA").decode()
    )
    assert "Requires-Python: >=3.11" in metadata
    for extra in ("local", "otel", "demo", "langfuse", "all"):
        assert f"Provides-Extra: {extra}" in metadata, extra

    venv = tmp_path / "venv"
    # A clean environment: no system site packages; the outer pip installs into it.
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    python = venv / "bin" / "python"
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-compile", "--quiet",
        f"{wheel}[demo]", cwd=tmp_path,
    )  # fmt: skip

    imported = run(
        python, "-c", "import agentcore_memory_otel as m; print(m.__file__)", cwd=tmp_path
    )
    assert imported.startswith(str(venv)), imported
    assert run(venv / "bin" / "agentcore-memory-otel", "--version", cwd=tmp_path).strip() == (
        f"agentcore-memory-otel {version}"
    )
    summary = tmp_path / "summary.json"
    out = run(
        venv / "bin" / "agentcore-memory-otel", "demo", "--metrics-port", "0",
        "--db", tmp_path / "demo.db", "--json-summary", summary, cwd=tmp_path, timeout=180,
    )  # fmt: skip
    assert "[6/7] Summary" in out
    data = json.loads(summary.read_text())
    assert data["restoredMessages"] == 16
    assert {e["metadata"]["traceId"] for e in data["events"]} == set(data["traceIds"])
