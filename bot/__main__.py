"""`python -m bot` is the same as `apo`."""

from bot.cli import main

raise SystemExit(main())
