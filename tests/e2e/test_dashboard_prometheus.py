"""Every Prometheus expression of the Grafana dashboard, evaluated by a real Prometheus that
scrapes the demo's metrics endpoint, returns data consistent with the server's call counts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ..support import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboards" / "grafana-agentcore-memory.json"
# Grafana fills these in; Prometheus needs concrete values.
GRAFANA_VARIABLES = {"$memory": ".*", "$__rate_interval": "1m", "$__range": "10m"}


def query(base: str, expr: str) -> list[dict[str, Any]]:
    url = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.loads(response.read())
    assert body["status"] == "success", (expr, body)
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def scalar(base: str, expr: str) -> float:
    result = query(base, expr)
    assert len(result) == 1, (expr, result)
    return float(result[0]["value"][1])


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, AssertionError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def dashboard_targets() -> list[tuple[str, str]]:
    data = json.loads(DASHBOARD.read_text())
    targets = []
    for panel in data["panels"]:
        for target in panel["targets"]:
            expr = target["expr"]
            for name, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(name, value)
            targets.append((panel["title"], expr))
    return targets


def test_every_dashboard_query_returns_consistent_data(tmp_path: Path) -> None:
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.skip(
            "needs the prometheus binary (Debian package 'prometheus'; .ci/run installs it)"
        )
    metrics_port, prometheus_port = free_port(), free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: demo\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{metrics_port}']\n"
    )
    server = subprocess.Popen(
        [
            prometheus,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prometheus_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{prometheus_port}"
    summary = tmp_path / "summary.json"
    demo = None
    try:
        wait_until(
            lambda: urllib.request.urlopen(f"{base}/-/ready", timeout=2).status == 200,
            60,
            "Prometheus to start",
        )
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agentcore_memory_otel",
                "demo",
                "--metrics-port",
                str(metrics_port),
                "--latency-ms",
                "40",
                "--hold",
                "60",
                "--db",
                str(tmp_path / "demo.db"),
                "--json-summary",
                str(summary),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=tmp_path,
        )
        wait_until(summary.exists, 120, "the demo to finish")
        data = json.loads(summary.read_text())
        server_creates = data["serverCalls"]["CreateEvent"]["success"]
        made_expr = (
            'sum(agentcore_memory_api_calls_total{agentcore_memory_operation="CreateEvent"})'
        )
        wait_until(
            lambda: scalar(base, made_expr) == server_creates,
            30,
            "Prometheus to scrape the final counts",
        )
        # rate() needs at least two samples of every series; all appear in the same scrapes.
        samples = "min(count_over_time(agentcore_memory_event_messages_count[1m]))"
        wait_until(lambda: scalar(base, samples) >= 3, 30, "a few scrapes of every series")

        for title, expr in dashboard_targets():
            result = query(base, expr)
            assert result, f"panel {title!r}: no data for {expr}"

        values = {
            title: float(query(base, expr)[0]["value"][1])
            for title, expr in dashboard_targets()
            if title
            in (
                "CreateEvent calls made",
                "Naive session manager would make",
                "Calls saved",
                "Buffered messages",
            )
        }
        assert values["CreateEvent calls made"] == server_creates
        assert values["Naive session manager would make"] == data["calls"]["naive"]
        assert values["Calls saved"] == pytest.approx(data["calls"]["saved_percent"])
        assert values["Buffered messages"] == 0
        per_invocation = {
            r["metric"]["agentcore_memory_operation"]: float(r["value"][1])
            for title, expr in dashboard_targets()
            if title == "Calls per agent invocation"
            for r in query(base, expr)
        }
        assert per_invocation["CreateEvent"] == pytest.approx(server_creates / data["invocations"])
        assert per_invocation["ListEvents"] == pytest.approx(
            data["serverCalls"]["ListEvents"]["success"] / data["invocations"]
        )
    finally:
        if demo is not None:
            demo.terminate()
            demo.wait(30)
        server.terminate()
        server.wait(30)
