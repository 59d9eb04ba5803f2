"""The one error type of the CLI: caught only at its edge, printed as one line."""


class RelayError(Exception):
    """A failure the user can act on; `exit_code` is what the process exits with (1 error, 2 drift)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
