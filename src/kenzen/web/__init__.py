"""The HTTP face of Kenzen: JSON API under /api/v1 and server-rendered pages."""
