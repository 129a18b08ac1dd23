"""`python -m checker` runs the malkoll command."""

from checker.cli import run

run()
