"""The package version, in one place (importable without importing the connector)."""

__version__ = "0.1.0"
