"""Install time of ``agentcore-memory-otel[all]`` beside ``bedrock-agentcore[strands-agents]``.

Each trial creates two fresh virtual environments (``python -m venv``, not timed) and times
``pip install`` of each target into its own, alternating which goes first. pip runs as a user's
would: the venv's own pip, the user's pip cache (HTTP and wheel caches; one untimed warm-up
install of each target fills it), and no configuration from this machine (``PIP_CONFIG_FILE``
is ``/dev/null`` and no other ``PIP_*`` setting but the certificate and timeout passes). Ours
installs from this checkout (``pip install ".[all]"``, building its wheel), the reference SDK
from the package registry.

Also counts pip's backtracking: the lines in which the resolver says it "is looking at
multiple versions" of a package (none when every first choice fits).

Usage: ``python3 -m benchmarks.install_time [--trials 3] [--source DIR] [--extras all]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKTRACKING = "is looking at multiple versions of"
_KEPT_SETTINGS = ("PIP_CERT", "PIP_DEFAULT_TIMEOUT")


def user_env() -> dict[str, str]:
    """This process's environment as a user's shell would have it for pip."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PIP_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update({k: os.environ[k] for k in _KEPT_SETTINGS if k in os.environ})
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def install(target: str, workdir: Path) -> tuple[float, str]:
    """Seconds ``pip install target`` takes in a new venv under ``workdir``, and pip's output."""
    venv = Path(tempfile.mkdtemp(dir=workdir))
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    started = time.perf_counter()
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", target],
        capture_output=True,
        text=True,
        env=user_env(),
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise RuntimeError(f"pip install {target} failed:\n{output[-3000:]}")
    return seconds, output


def backtracking(output: str) -> list[str]:
    """pip's lines saying it backtracks over a package's versions."""
    return [line.strip() for line in output.splitlines() if BACKTRACKING in line]


def main() -> None:
    """Warm the cache, run the trials, and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--sdk", default="bedrock-agentcore[strands-agents]")
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to build ours from")
    parser.add_argument("--extras", default="all", help="extras of ours to install")
    parser.add_argument("--no-warm-up", action="store_true", help="skip the untimed installs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", workdir, args.source],
            check=True,
            capture_output=True,
        )
        (wheel,) = workdir.glob("*.whl")
        targets = [f"{wheel}[{args.extras}]", args.sdk]
        times: dict[str, list[float]] = {t: [] for t in targets}
        rounds: dict[str, int] = {}
        if not args.no_warm_up:
            for target in targets:
                install(target, workdir)
        for trial in range(args.trials):
            for target in targets if trial % 2 == 0 else reversed(targets):
                seconds, output = install(target, workdir)
                times[target].append(seconds)
                rounds[target] = len(backtracking(output))
                print(f"trial {trial + 1}: {target}: {seconds:.1f} s", flush=True)
                for line in backtracking(output):
                    print(f"    {line}")
    pip = subprocess.run(
        [sys.executable, "-m", "ensurepip", "--version"], capture_output=True, text=True
    ).stdout.strip()
    print()
    print(f"Python {sys.version.split()[0]}, venv pip ({pip or 'bundled'}), {os.cpu_count()} CPUs")
    print()
    print("| target | median s | trials s | backtracking lines |")
    print("|---|---|---|---|")
    for target in targets:
        trials = ", ".join(f"{s:.1f}" for s in times[target])
        median = statistics.median(times[target])
        print(f"| `{Path(target).name}` | {median:.1f} | {trials} | {rounds[target]} |")
    ours, sdk = (statistics.median(times[t]) for t in targets)
    print()
    print(f"ours / SDK = {ours / sdk:.2f}")


if __name__ == "__main__":
    main()
