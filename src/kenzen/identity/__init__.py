"""Users, their single role, passwords and tokens."""
