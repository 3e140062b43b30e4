"""`python -m rag.app.cli`: the `rag` command."""

import sys

from rag.app.cli.main import command

sys.exit(command())
