"""Marketplaces, sellers, listings and the account status of each seller."""
