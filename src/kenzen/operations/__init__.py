"""Running Kenzen: its work queues at a glance and whether it is ready to serve."""
