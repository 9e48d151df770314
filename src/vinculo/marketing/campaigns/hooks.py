"""What the campaigns module registers with the platform."""
