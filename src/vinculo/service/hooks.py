"""What the service module registers with the platform."""
