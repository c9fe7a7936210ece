"""``python -m aiaas.cli``: the ``aiaas`` command."""

import sys

from . import main

sys.exit(main())
