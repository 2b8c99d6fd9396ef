"""A seller's account health: status, open cases and metrics, composed from the domains."""
