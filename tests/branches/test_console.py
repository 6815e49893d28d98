"""The console shows a session's branch tree, each branch's events, and fork command lines."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from agentcore_memory_otel import fork_session
from agentcore_memory_otel.local import LocalMemoryServer

from ..cli.conftest import Cli
from ..console.browser import chromium
from ..local.rawhttp import send
from ..support import ACTOR, SESSION, ManagerFactory, make_agent, no_trim
from .support import texts, traced_turn


@pytest.fixture
def forked(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> tuple[list[str], str]:
    """Three turns on main, ``retry`` forked before the second; the traces and the root."""
    agent = make_agent(make_manager(), ["a1", "a2", "a3"], conversation_manager=no_trim())
    traces = [traced_turn(agent, prompt) for prompt in ("q1", "q2", "q3")]
    fork = fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="retry",
        trace_id=traces[1],
        position="before",
        client=server.client(),
    )
    make_agent(make_manager(branch="retry"), ["b2"], conversation_manager=no_trim())("q2 again")
    return traces, fork.root_event_id


def _query(memory_id: str, **extra: str) -> str:
    return urlencode({"memoryId": memory_id, "actorId": ACTOR, "sessionId": SESSION, **extra})


def test_the_api_gives_the_tree_and_a_branch_with_its_fork_lines(
    forked: tuple[list[str], str],
    server: LocalMemoryServer,
    memory_id: str,
    make_manager: ManagerFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    traces, root = forked
    answer = send(server.endpoint_url, "GET", f"/console/api/branches?{_query(memory_id)}")
    assert answer.status == 200
    tree = {row["name"]: row for row in answer.json()["branches"]}
    assert tree["main"]["depth"] == 0 and tree["retry"]["depth"] == 1
    assert tree["retry"]["rootEventId"] == root
    assert tree["retry"]["rootTraceId"] == traces[0]  # the event just before the trace
    assert tree["retry"]["forkTraceId"] == traces[1]

    answer = send(
        server.endpoint_url, "GET", f"/console/api/branches?{_query(memory_id, branch='retry')}"
    )
    body = answer.json()
    assert body["config"].endswith("branch='retry')")
    assert [e["branch"]["name"] for e in body["events"]] == ["main"] * 2 + ["retry"] * 3
    # Each line runs as printed and forks where it says.
    line = body["events"][0]["fork"]["forkHere"]
    status, _, err = Cli(capsys)(*shlex.split(line)[1:], "--endpoint-url", server.endpoint_url)
    assert status == 0, err
    branch = shlex.split(line)[-1]
    agent = make_agent(make_manager(branch=branch), [], conversation_manager=no_trim())
    assert texts(agent) == [("user", "q1")]

    missing = send(
        server.endpoint_url, "GET", f"/console/api/branches?{_query(memory_id, branch='nope')}"
    )
    assert missing.status == 400 and "no branch 'nope'" in missing.json()["error"]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "profile") as driver:
        yield driver


@pytest.mark.slow
def test_the_browser_shows_the_tree_and_a_branch_with_fork_lines(
    forked: tuple[list[str], str], server: LocalMemoryServer, memory_id: str, browser: WebDriver
) -> None:
    traces, root = forked
    browser.get(f"{server.console_url}?{_query(memory_id)}")
    wait = WebDriverWait(browser, 15, poll_frequency=0.05)
    rows = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".branch-tree li"))
    assert [r.get_attribute("data-branch") for r in rows] == ["main", "retry"]
    assert root in rows[1].text and traces[1] in rows[1].text
    # Every event of the session view carries a fork line aimed at this server.
    lines = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".event .fork-command"))
    assert all(server.endpoint_url.rstrip("/") in line.text for line in lines)

    rows[1].find_element(By.TAG_NAME, "a").click()
    events = wait.until(
        lambda d: (
            len(d.find_elements(By.CSS_SELECTOR, ".event")) == 5
            and d.find_elements(By.CSS_SELECTOR, ".event")
        )
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, ".event.inherited")) == 2
    assert all(e.find_elements(By.CSS_SELECTOR, ".fork-command") for e in events)
    before = browser.find_elements(By.CSS_SELECTOR, ".trace-start .fork-command")
    assert any(f"--trace-id {traces[0]} --before" in b.text for b in before)
    assert "branch='retry'" in browser.find_element(By.CSS_SELECTOR, ".config-line").text
    assert browser.execute_script("return document.querySelectorAll('.error').length") == 0


@pytest.mark.slow
def test_the_session_views_fork_lines_are_quoted_and_run_once_retry_1_exists(
    forked: tuple[list[str], str],
    server: LocalMemoryServer,
    memory_id: str,
    browser: WebDriver,
    make_manager: ManagerFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="retry-1",
        turn=1,
        client=server.client(),
    )
    browser.get(f"{server.console_url}?{_query(memory_id)}")
    wait = WebDriverWait(browser, 15, poll_frequency=0.05)
    # Every branch's events (main 6, retry 3, retry-1 1), each with its line.
    lines = wait.until(
        lambda d: (
            len(found := d.find_elements(By.CSS_SELECTOR, ".event .fork-command")) == 10 and found
        )
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, ".event")) == 10
    oldest = lines[-1].text  # newest first: the session's first prompt
    words = shlex.split(oldest)
    # The event id holds '#', quoted as the CLI's own lines quote it; the branch is free.
    event_id = words[words.index("--event-id") + 1]
    assert f"--event-id '{event_id}'" in oldest
    assert words[words.index("--branch") + 1] == "fork-3"
    status, _, err = Cli(capsys)(*words[1:])
    assert (status, err) == (0, "")
    agent = make_agent(make_manager(branch="fork-3"), [], conversation_manager=no_trim())
    assert texts(agent) == [("user", "q1")]


@pytest.mark.slow
def test_the_trace_views_fork_lines_name_the_session_and_a_free_branch(
    forked: tuple[list[str], str],
    server: LocalMemoryServer,
    memory_id: str,
    browser: WebDriver,
    make_manager: ManagerFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    traces, _ = forked
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="retry-1",
        turn=1,
        client=server.client(),
    )
    browser.get(f"{server.console_url}?{urlencode({'memoryId': memory_id, 'traceId': traces[2]})}")
    wait = WebDriverWait(browser, 15, poll_frequency=0.05)
    lines = wait.until(
        lambda d: (
            len(found := d.find_elements(By.CSS_SELECTOR, ".trace-summary .fork-command")) == 2
            and found
        )
    )
    before = shlex.split(lines[0].text)
    assert before[before.index("--session-id") + 1] == SESSION
    assert before[before.index("--branch") + 1] == "fork-3"
    status, _, err = Cli(capsys)(*before[1:])
    assert (status, err) == (0, "")
    agent = make_agent(make_manager(branch="fork-3"), [], conversation_manager=no_trim())
    assert [t for _, t in texts(agent)] == ["q1", "a1", "q2", "a2"]
