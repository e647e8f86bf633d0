"""Errors shown to people: each names the field and the rule that failed.

Every error a user can cause derives from :class:`IdrsError`; the CLI and (later) the web
layer turn these into one clear line and a non-zero exit, never a stack trace.
"""

from __future__ import annotations


class IdrsError(Exception):
    """Base for every error the system reports to a person."""

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidInput(IdrsError):
    """A value a person typed or a file supplied breaks a named rule."""

    def __init__(self, field: str, rule: str, value: object | None = None) -> None:
        shown = "" if value is None else f" (got {value!r})"
        super().__init__(f"{field}: {rule}{shown}", field=field, rule=rule)


class ConfigurationError(IdrsError):
    """A setting is missing or malformed."""
