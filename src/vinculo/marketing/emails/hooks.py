"""What the emails module registers with the platform."""
