"""API routes (filled in by the programme-event API issue)."""
