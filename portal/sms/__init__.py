"""The SMS gateway: provider backends, keywords per locale, discreet message templates."""
