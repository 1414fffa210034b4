"""``python -m kadry`` is the ``kadry`` command."""

from kadry.cli import main

main()
