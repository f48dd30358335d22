import sys

from liaison_app.cli import main

sys.exit(main())
