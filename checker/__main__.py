"""`python -m checker` runs the malkoll command."""

import sys

from checker.cli import main

sys.exit(main())
