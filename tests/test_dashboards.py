"""The dashboards are importable and cover every metric the package emits."""

from __future__ import annotations

import json
from pathlib import Path

from agentcore_memory_otel.telemetry import names

DASHBOARDS = Path(__file__).resolve().parents[1] / "dashboards"
METRICS = [metric.name for metric in names.METRICS]


def test_the_metric_registry_lists_every_metric_name() -> None:
    """A metric name added to ``names`` but not to ``names.METRICS`` would escape the checks."""
    declared = {
        value
        for key, value in vars(names).items()
        if key.isupper() and isinstance(value, str) and value.startswith("agentcore_memory.")
    }
    assert declared == set(METRICS)


def test_grafana_dashboard_is_importable_and_complete() -> None:
    data = json.loads((DASHBOARDS / "grafana-agentcore-memory.json").read_text())
    assert [i["name"] for i in data["__inputs"]] == ["DS_PROMETHEUS"]
    assert data["templating"]["list"][0]["name"] == "memory"
    queries = " ".join(t["expr"] for p in data["panels"] for t in p["targets"])
    for panel in data["panels"]:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}"
        assert panel["targets"], panel["title"]
    for metric in METRICS:
        assert metric.replace(".", "_") in queries, metric
    assert len({p["id"] for p in data["panels"]}) == len(data["panels"])


def test_cloudwatch_dashboard_covers_every_metric() -> None:
    data = json.loads((DASHBOARDS / "cloudwatch-agentcore-memory.json").read_text())
    expressions = " ".join(
        m["expression"]
        for w in data["widgets"]
        for series in w["properties"].get("metrics", [])
        for m in series
    )
    for metric in METRICS:
        assert f'MetricName="{metric}"' in expressions, metric
    assert all(w["properties"].get("region", "us-east-1") == "us-east-1" for w in data["widgets"])
