"""What the pipeline module registers with the platform."""
