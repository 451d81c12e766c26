"""The domain: plain functions that take a database session and return plain results (no Flask)."""
