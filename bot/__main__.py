"""`python -m bot` is the same as `apo`."""

from bot.cli import run

run()
