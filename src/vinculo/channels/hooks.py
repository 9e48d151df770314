"""What the channels module registers with the platform."""
