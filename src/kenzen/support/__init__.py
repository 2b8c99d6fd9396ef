"""Account Health Support: the callback line, its slots, and call notes for AHS only."""
