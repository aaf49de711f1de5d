"""`python -m msinfusion` runs the command line."""

import sys

from msinfusion.cli import main

sys.exit(main())
