"""Entry point of the frozen app: the same command line as `python -m liaison_app`."""

import sys

from liaison_app.cli import main

sys.exit(main())
