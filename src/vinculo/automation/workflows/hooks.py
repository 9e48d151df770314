"""What the workflows module registers with the platform."""
