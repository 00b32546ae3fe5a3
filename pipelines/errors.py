"""Errors the command line reports to the user in one line, without a traceback."""

from __future__ import annotations


class CommandError(Exception):
    """The arguments were well formed, but what they ask for cannot be given (exit 1)."""


class UsageError(Exception):
    """The command was given something that is not a file or folder of exports (exit 2)."""
