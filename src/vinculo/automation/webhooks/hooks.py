"""What the webhooks module registers with the platform."""
