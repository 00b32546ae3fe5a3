"""Progress lines of long commands: on a terminal one line rewritten in place, else nothing.

`kasko load` ends with a table of every file; a line per file before it listed each
file twice. On a terminal the progress shows where the load is and is then cleared;
in a log (cron, CI) only the table is written.
"""

from __future__ import annotations

import sys
from typing import TextIO

_CLEAR_LINE = "\r\033[K"


class TransientProgress:
    """A progress callback writing each message over the previous one on a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.shown = False

    def __call__(self, message: str) -> None:
        if self.live:
            self.stream.write(_CLEAR_LINE + message)
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        """Remove the last message, before the command prints its result."""
        if self.shown:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()
            self.shown = False
