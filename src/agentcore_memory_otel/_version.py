"""The package's version, alone, so any module can import it without importing the package root."""

__version__ = "0.1.0"
