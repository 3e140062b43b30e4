"""Ingest: load files in every format, clean them, chunk them and bring the index up to date."""
