"""Kenzen: open, explainable account health for online marketplaces."""

__version__ = "0.1.0"
