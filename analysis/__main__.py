"""``python -m analysis``: see :mod:`cli.main`."""
import sys

from cli.main import main

sys.exit(main())
