"""Time: calendar days, the dates sentences mention, and "as of" windows (below every stage that dates things)."""
