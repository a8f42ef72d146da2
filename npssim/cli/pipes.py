"""Output piped into a reader that stops early (``npssim compare ... | head``).

Python ignores SIGPIPE, so once the reader has gone a write to standard output raises
``BrokenPipeError``. Raised from a table printed before the report is written, it ended the
command with status 1, no message and no report. The reader wanted no more output, not a
different command: from the first broken write on, standard output is discarded (its file
descriptor pointed at ``os.devnull``, the pattern Python's documentation of SIGPIPE
recommends, so the interpreter's last flush cannot fail either) and the command runs to its
end, writes its files and returns its own status.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO


class PipeGuard:
    """Standard output that, once its reader has gone, discards what is written to it.

    Everything but ``write`` and ``flush`` is the wrapped stream's (``isatty``, ``encoding``,
    ``fileno``...), so Rich sizes and styles its output as it would for the stream itself.

    Args:
        stream: The stream to guard (``sys.stdout``).
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        """Write, or discard once the reader has gone."""
        if not self.broken:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self.discard()
        return len(text)

    def flush(self) -> None:
        """Flush, or discard once the reader has gone."""
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self.discard()

    def discard(self) -> None:
        """Stop writing: point the stream's descriptor at ``os.devnull`` where it has one.

        What the stream still buffers then goes nowhere when Python flushes it at exit,
        instead of failing with "Exception ignored ... BrokenPipeError" and status 120.
        """
        self.broken = True
        with contextlib.suppress(AttributeError, OSError, ValueError):
            descriptor = self.stream.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, descriptor)
            finally:
                os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def guarded_stdout() -> Iterator[PipeGuard]:
    """``sys.stdout`` guarded by a :class:`PipeGuard` while the command runs, then flushed."""
    original = sys.stdout
    guard = PipeGuard(original)
    sys.stdout = guard  # type: ignore[assignment]
    try:
        yield guard
    finally:
        guard.flush()
        sys.stdout = original
