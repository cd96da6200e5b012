"""Orchestration shared by the CLI and the TUI: backends + parameters in, result objects out."""
