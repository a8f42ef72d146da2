"""``python -m npssim.cli``: the same as the ``npssim`` command."""

from npssim.cli import entry

entry()
