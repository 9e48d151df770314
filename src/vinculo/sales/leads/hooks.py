"""What the leads module registers with the platform."""
