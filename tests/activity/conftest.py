"""Fixtures for trace-activity tests: the telemetry tests' global SDK provider and managers."""

from __future__ import annotations

from ..telemetry.conftest import reader, spans, traced_manager

__all__ = ["reader", "spans", "traced_manager"]
