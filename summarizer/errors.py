"""User-facing errors: each one names the file and line so the CLI can print it without a traceback."""

from __future__ import annotations


class RecapError(Exception):
    """An error the CLI reports as one clear line and a non-zero exit."""


class InputError(RecapError):
    """Bad input data, located by file and (when known) 1-based line number."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.reason = message
        where = path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


class ModelError(RecapError):
    """A model that cannot be found or loaded safely."""
