"""What the segments module registers with the platform."""
