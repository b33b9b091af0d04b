"""Exceptions the CLI turns into a clean message and exit 1 (never a traceback)."""


class ReconcilerError(Exception):
    """Base of every expected failure; its message is shown to the user as is."""

    exit_code = 1


class ManifestError(ReconcilerError):
    """One or more located problems in manifest files (`file:line: message`)."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class ConfigError(ReconcilerError):
    """Missing or inconsistent settings: API URL, credentials, flags."""


class PlanError(ReconcilerError):
    """The plan cannot be computed or applied safely (unknown carrier, stale plan, guard)."""
