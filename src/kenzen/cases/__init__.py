"""Cases and their timelines: where every action, notice and note about a seller is kept."""
