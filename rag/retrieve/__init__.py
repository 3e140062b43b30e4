"""Retrieval: hybrid search with filters and as-of dates, and follow-ups made standalone."""
