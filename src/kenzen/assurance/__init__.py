"""Account Health Assurance: long-healthy sellers are called and given time before a
deactivation is confirmed (reference §1.3)."""
