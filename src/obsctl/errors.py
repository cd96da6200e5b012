"""Domain errors. The CLI boundary maps each class to an exit code and a one-line message.

Nothing here imports click, typer or httpx: every layer below the CLI raises these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from obsctl.exit_codes import ExitCode

if TYPE_CHECKING:  # findings.py costs ~4 ms of dataclass set-up; errors are imported at start-up
    from obsctl.model.findings import Location


class ObsctlError(Exception):
    """Base class of every error obsctl reports to the user.

    Args:
        message: one line saying what went wrong.
        hint: optional one line saying what to try next.
    """

    exit_code: ClassVar[ExitCode] = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ObsctlError):
    """Bad arguments or input given on the command line."""

    exit_code = ExitCode.USAGE


class ConfigError(ObsctlError):
    """The configuration file (or a setting) is invalid; carries ``file:line`` when known."""

    exit_code = ExitCode.USAGE

    def __init__(
        self, message: str, *, location: Location | None = None, hint: str | None = None
    ) -> None:
        self.location = location
        if location is not None:
            message = f"{location}: {message}"
        super().__init__(message, hint=hint)


class BackendUnreachable(ObsctlError):
    """Connect, DNS or TLS failure, or a timeout, talking to a backend."""

    exit_code = ExitCode.UNREACHABLE

    def __init__(
        self, message: str, *, backend: str = "", url: str = "", hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.backend = backend
        self.url = url


class BackendError(ObsctlError):
    """The backend answered, with an error (HTTP status, error envelope, unusable body)."""

    exit_code = ExitCode.BACKEND_ERROR

    def __init__(
        self,
        message: str,
        *,
        backend: str = "",
        status: int | None = None,
        error_type: str | None = None,
        server_message: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.backend = backend
        self.status = status
        self.error_type = error_type
        self.server_message = server_message


class NotFound(ObsctlError):
    """The requested object does not exist (unknown trace ID, alert that never fired)."""

    exit_code = ExitCode.NOT_FOUND


class ParseError(ObsctlError):
    """A payload or file could not be decoded.

    The exit code depends on what failed: a backend response is a backend error (4), a file the
    user handed in is bad input (2). Files that ``lint``/``validate`` are *checking* never raise
    this: their parse failures become findings.
    """

    exit_code = ExitCode.USAGE

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        from_backend: bool = False,
        hint: str | None = None,
    ) -> None:
        self.location = location
        self.from_backend = from_backend
        if location is not None:
            message = f"{location}: {message}"
        super().__init__(message, hint=hint)

    @property
    def effective_exit_code(self) -> ExitCode:
        """Exit code for this instance: 4 for backend payloads, 2 for user files."""
        return ExitCode.BACKEND_ERROR if self.from_backend else ExitCode.USAGE


def exit_code_of(err: ObsctlError) -> ExitCode:
    """The exit code the boundary uses for ``err``."""
    if isinstance(err, ParseError):
        return err.effective_exit_code
    return err.exit_code


class FindingsFailed(ObsctlError):
    """``lint``/``validate`` found problems at or above ``--fail-on`` (exit 1).

    Silent: the findings and their summary line were already printed.
    """

    exit_code = ExitCode.FINDINGS
    silent = True


class TestsFailed(ObsctlError):
    """``rules test``: some test failed (exit 1).

    Silent: the failures were already printed.
    """

    __test__ = False  # not a pytest class

    exit_code = ExitCode.FINDINGS
    silent = True
