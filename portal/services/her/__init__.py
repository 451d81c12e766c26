"""Her side of the domain: consent, preferences, her way in, her own reports, her record and links."""
