"""``python -m npssim.cli``: the same as the ``npssim`` command."""

import sys

from npssim.cli import main

sys.exit(main())
