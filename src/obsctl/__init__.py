"""obsctl: observability troubleshooting toolkit for the terminal.

This module carries the version string only and imports nothing, so that
``obsctl --version`` and ``--help`` stay fast.
"""

__version__ = "0.1.0"
