"""The ``npssim`` command's exit statuses (a module of its own, so the entry point stays light)."""

#: A mistake in what the user typed: one line on stderr, nothing written.
EXIT_BAD_INPUT = 2
#: Anything else went wrong (a full disk, a bug).
EXIT_FAILED = 1
#: Ctrl-C: the output folder can be completed with ``--resume``.
EXIT_INTERRUPTED = 130


class Interrupted(Exception):
    """The user interrupted an experiment; the message says how to resume it."""
