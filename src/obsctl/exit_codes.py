"""The single source of truth for obsctl's process exit codes.

The table is documented in README.md; ``tests/cli/test_exit_codes.py`` checks that every
code is produced by at least one CLI test.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit status of an obsctl command."""

    OK = 0
    """Success; lint/validate found nothing at or above ``--fail-on``."""
    FINDINGS = 1
    """lint/validate found problems at or above ``--fail-on``."""
    USAGE = 2
    """Bad flags or arguments, bad or missing config, unreadable input file."""
    UNREACHABLE = 3
    """Connect/DNS/TLS failure or timeout talking to a backend."""
    BACKEND_ERROR = 4
    """The backend answered with an error (HTTP 4xx/5xx, auth, rejected query, bad payload)."""
    NOT_FOUND = 5
    """The requested thing does not exist (unknown trace ID, alert never fired)."""
    INTERNAL = 70
    """Unexpected exception (sysexits EX_SOFTWARE)."""
    INTERRUPTED = 130
    """Interrupted by Ctrl-C."""
