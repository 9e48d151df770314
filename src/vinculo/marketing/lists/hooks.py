"""What the lists module registers with the platform."""
