"""Webhook routes (filled in by the SMS gateway issue)."""
