"""What the assignment module registers with the platform."""
