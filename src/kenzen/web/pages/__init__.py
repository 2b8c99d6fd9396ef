"""Server-rendered pages: login, and the seller's status and cases."""
