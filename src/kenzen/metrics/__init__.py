"""Seller performance metrics: definitions, the engine and the SP-API report."""
