"""The one error type for bad input, so every front end can report it the same way.

A front end (the CLI, the dashboard) catches :class:`InputError`, prints its message, which is
one line naming the file or option and the parameter, and exits with status 2: no traceback for
a mistake in what the user typed.
"""

from __future__ import annotations

import re

#: The longest piece of user input quoted back in a message: a 100 KB key is named by its start.
QUOTE_LIMIT = 120

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class InputError(ValueError):
    """An input (file, parameter, option) is wrong; ``str(error)`` is the one line to show.

    The message is made one line whatever it quotes: control characters (a newline in a key, an
    escape sequence in a file name) are shown escaped, so a terminal or a log shows exactly one
    line, and nothing the user typed can rewrite the screen.
    """

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def one_line(text: str) -> str:
    """``text`` with control characters escaped (a newline as a backslash and n), on one line."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """User input to quote in a message: one line, and its start only when it is long."""
    text = one_line(str(text))
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"
