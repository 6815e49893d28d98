"""Fixtures for branch tests: the session tests' manager factory, and traced turns."""

from __future__ import annotations

from ..session.conftest import make_manager

__all__ = ["make_manager"]
