"""Embedders: MiniLM (default) and multilingual e5, as llama-index embeddings, chosen by name."""
