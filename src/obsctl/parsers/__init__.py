"""parsers: pure functions over the domain model (no I/O, no clock, no env)."""
