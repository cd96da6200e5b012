"""The domain model: frozen dataclasses over the stdlib only."""
