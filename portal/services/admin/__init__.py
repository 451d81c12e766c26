"""The deployment's administration: staff accounts and sign-in, programmes, settings, tokens, keys."""
