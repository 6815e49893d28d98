"""Fixtures for data-control tests: the session tests' manager factory, reused."""

from ..session.conftest import make_manager

__all__ = ["make_manager"]
