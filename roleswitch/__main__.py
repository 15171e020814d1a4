"""`python -m roleswitch` runs the same entry point as the console script."""

from roleswitch.cli import main

raise SystemExit(main())
