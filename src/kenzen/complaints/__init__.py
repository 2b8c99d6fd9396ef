"""Rights owners' brands and complaints, and the brand screening of listings."""
