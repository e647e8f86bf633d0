"""Errors of access governance: each names the field and the rule, for the person entitled."""

from __future__ import annotations

from idrs.errors import IdrsError


class GovernanceError(IdrsError):
    """A grant, case, agreement or staff change was refused; nothing was changed."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}", field=field, rule=rule)
