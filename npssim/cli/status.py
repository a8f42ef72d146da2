"""The ``npssim`` command's exit statuses (a module of its own, so the entry point stays light)."""

#: A mistake in what the user typed: one line on stderr, nothing written.
EXIT_BAD_INPUT = 2
#: Anything else went wrong (a full disk, a bug).
EXIT_FAILED = 1
#: Ctrl-C: the output folder can be completed with ``--resume``.
EXIT_INTERRUPTED = 130


class Interrupted(Exception):
    """The user interrupted an experiment; the message says how to resume it."""


def caused_by_interrupt(error: BaseException) -> bool:
    """Whether Ctrl-C is behind an error: it, or what caused it, is a KeyboardInterrupt.

    Ctrl-C that lands while an extension module initialises (matplotlib's ``ft2font``, say)
    surfaces as an ``ImportError`` raised from the KeyboardInterrupt; it is still the user
    stopping the command, so it ends in one line with status 130, not a traceback.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
