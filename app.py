"""The chat UI: `python app.py` (or `rag serve`) serves it on 127.0.0.1."""

from rag.settings import Settings
from rag.app.ui import serve

if __name__ == "__main__":
    serve(Settings())
