"""The one error type for bad input, so every front end can report it the same way.

A front end (the CLI, the dashboard) catches :class:`InputError`, prints its message, which is
one line naming the file or option and the parameter, and exits with status 2: no traceback for
a mistake in what the user typed.
"""

from __future__ import annotations


class InputError(ValueError):
    """An input (file, parameter, option) is wrong; ``str(error)`` is the one line to show."""
