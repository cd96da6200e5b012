"""Configuration: schema (pure), load (pure), discover (I/O)."""
