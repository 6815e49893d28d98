"""The README and docs/ hold up: every README block is run by a test, every link leads somewhere.

Which test runs each of the README's code blocks:

* the set-up block's two commands: ``bash scripts/test.sh`` is CI itself (``.ci/run``);
  ``python3 -m pip install -e ".[all]" && agentcore-memory-otel demo`` is run by
  ``tests/packaging/test_wheel.py`` (the package built, installed into a clean virtual
  environment, and its ``agentcore-memory-otel demo`` run) and ``tests/demo/test_demo.py``;
  here we check that the extra, the command and CI's call exist as the block names them;
* the quick start is ``examples/quickstart.py``, whole: ``tests/examples/test_quickstart.py``
  checks that the block is that file, byte for byte, and runs the file twice;
* the demo's excerpt: ``test_the_demo_excerpt_is_what_the_demo_prints`` below runs the demo and
  finds the excerpt's lines, in order, in its output (ids and timings aside).
"""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

from .examples.test_quickstart import quick_start_block
from .support import run_demo

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
MAX_README_LINES = 200
SETUP_COMMANDS = [
    'python3 -m pip install -e ".[all]" && agentcore-memory-otel demo',
    "bash scripts/test.sh",
]

FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def blocks(path: Path) -> list[tuple[str, str]]:
    """(language, body) of every fenced block."""
    return FENCE.findall(path.read_text(encoding="utf-8"))


def prose(path: Path) -> str:
    """The page without its fenced blocks (a `# comment` in a block is no heading)."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the page's headings."""
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", prose(path), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_the_readme_is_a_front_page() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"
    headings = [line for line in lines if line.startswith("## ")]
    order = ["## Set-up", "## Quick start", "## The demo", "## Compared with"]
    positions = [next(i for i, h in enumerate(headings) if h.startswith(o)) for o in order]
    assert positions == sorted(positions), headings


def test_every_readme_block_is_run_by_a_test() -> None:
    found = blocks(README)
    quick_start = quick_start_block()
    for language, body in found:
        if language == "bash":
            commands = [
                line for line in body.splitlines() if line.strip() and not line.startswith("#")
            ]
            assert commands == SETUP_COMMANDS, commands
        elif language == "python":
            assert body == quick_start, "a Python block that test_quickstart does not run"
        elif language == "text":
            assert "CreateEvent calls made:" in body  # the demo's excerpt, checked below
        else:
            raise AssertionError(f"no test runs this {language or 'unlabelled'} block:\n{body}")
    assert sorted(language for language, _ in found) == ["bash", "python", "text"]


def test_the_setup_commands_name_what_exists() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "all" in project["optional-dependencies"]
    assert project["scripts"]["agentcore-memory-otel"] == "agentcore_memory_otel.cli.entry:main"
    assert "\nbash scripts/test.sh\n" in (ROOT / ".ci" / "run").read_text()
    wheel_test = (ROOT / "tests" / "packaging" / "test_wheel.py").read_text()
    assert '"agentcore-memory-otel", "demo"' in wheel_test


def _normalised(line: str) -> str:
    """A line of demo output with its run-specific ids and timings masked."""
    line = re.sub(r"\d{19}#[0-9a-f]{8}", "<eventId>", line)
    line = re.sub(r"\b[0-9a-f]{32}\b", "<traceId>", line)
    line = re.sub(r"\b[0-9a-f]{16}\b", "<spanId>", line)
    line = re.sub(r"\d+\.\d+ ms", "<ms>", line)
    return " ".join(line.split())


def test_the_demo_excerpt_is_what_the_demo_prints(tmp_path: Path) -> None:
    (excerpt,) = [body for language, body in blocks(README) if language == "text"]
    out, _ = run_demo(tmp_path)
    printed = [_normalised(line) for line in out.splitlines()]
    position = 0
    for line in excerpt.splitlines():
        if line.strip() == "...":
            continue
        wanted = _normalised(line)
        assert wanted in printed[position:], f"the demo does not print, here: {line!r}"
        position = printed.index(wanted, position) + 1


def test_every_relative_link_leads_to_a_file_and_heading() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(prose(page)):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto
            path_part, _, anchor = target.partition("#")
            resolved = (page.parent / path_part).resolve() if path_part else page
            if not resolved.exists():
                broken.append(f"{page.name}: {target}")
                continue
            if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_nothing_points_outside_the_repository() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert "shared/" not in text, page
        assert "/work/" not in text, page


def test_the_examples_page_lists_every_example() -> None:
    listed = set(re.findall(r"^\| `([\w.]+\.py)` \|", (DOCS / "examples.md").read_text(), re.M))
    assert listed == {p.name for p in (ROOT / "examples").glob("*.py")}


def test_the_architecture_tree_lists_every_module() -> None:
    tree = (DOCS / "architecture.md").read_text()
    package = ROOT / "src" / "agentcore_memory_otel"
    for module in package.rglob("*.py"):
        relative = module.relative_to(package)
        if relative.name == "__init__.py" and relative.parent != Path("."):
            continue  # a subpackage is listed by its folder
        assert relative.name in tree, f"docs/architecture.md does not list {relative}"
