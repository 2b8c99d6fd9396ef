"""Notices sellers can trust: the case log first, one signed sender, webhooks, verification."""
