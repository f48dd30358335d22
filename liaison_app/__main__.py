import gc
import sys

gc.disable()  # from the very start: see cli.main (turned back on once start-up is over)

from liaison_app.cli import main  # noqa: E402

sys.exit(main())
