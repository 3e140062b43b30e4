"""The chat UI: `python app.py` serves it on 127.0.0.1, exactly as `rag serve` does (the same
settings, the same one-line errors for a bad one, exit status 2)."""

import sys

from rag.app.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["serve"]))
