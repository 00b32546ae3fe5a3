"""Progress lines of long commands: on a terminal one line rewritten in place and cleared.

`kasko load` ends with a table of every file; a line per file above it listed each file
twice on screen. On a terminal the progress shows where the load is, on one line, and
is cleared before the table. Elsewhere (a log, a pipe) each message is a line of its own
on standard error, the trail a log wants; the table goes to standard output.
"""

from __future__ import annotations

import sys
from typing import TextIO

_CLEAR_LINE = "\r\033[K"


class TransientProgress:
    """A progress callback: each message over the previous one on a terminal, else a line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.shown = False

    def __call__(self, message: str) -> None:
        if self.live:
            self.stream.write(_CLEAR_LINE + message)
            self.shown = True
        else:
            self.stream.write(message + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Remove the last message, before the command prints its result."""
        if self.shown:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()
            self.shown = False
