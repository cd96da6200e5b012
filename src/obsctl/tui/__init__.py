"""Textual TUI (imported lazily, only by cli/tui.py)."""
