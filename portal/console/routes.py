"""Console routes (filled in by the staff console issue)."""
