"""Turn the rows of ``scenarios.json`` into slices.

A row names a principal preset with overrides, grants and agreements as overrides of the file's
defaults, a target, a command code and an instant. Whole-day terms (``first_day`` + ``days``)
are built the agency's way: from midnight of the first day in America/New_York to midnight after
the last day, so a 120-day detail from 2026-01-05 ends after 2026-05-04 23:59:59.999 New York.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from idrs.access.facts import (
    Access,
    Agreement,
    Command,
    Grant,
    GrantKind,
    Principal,
    Slice,
    Target,
)

AGENCY_ZONE = ZoneInfo("America/New_York")
DATA = json.loads((Path(__file__).parent / "scenarios.json").read_text(encoding="utf-8"))


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"scenario time without an offset: {text}"
    return moment.astimezone(UTC)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AGENCY_ZONE).astimezone(UTC)


def term(row: dict[str, Any]) -> tuple[datetime, datetime]:
    """(starts, ends) from first_day + days, or from explicit starts/ends."""
    if "first_day" in row:
        first = date.fromisoformat(row["first_day"])
        return day_start(first), day_start(first + timedelta(days=row["days"]))
    return instant(row["starts"]), instant(row["ends"])


def principal(name: str, overrides: dict[str, Any]) -> Principal:
    row = {**DATA["principals"][name], **overrides}
    sets = ("roles", "profile", "acknowledgements", "spouse_ids", "household_ids", "covered_ids")
    return Principal(**{k: frozenset(v) if k in sets else v for k, v in row.items()})


def command(code: str) -> Command:
    row = DATA["commands"][code]
    return Command(
        code=code,
        access=Access(row["access"]),
        categories=frozenset(row["categories"]),
        grant_kinds=frozenset(GrantKind(k) for k in row["grant_kinds"]),
        name_search=row.get("name_search", False),
        needs_approval=row.get("needs_approval", False),
    )


def grant(overrides: dict[str, Any], holder_id: int) -> Grant:
    row = {**DATA["defaults"]["grant"], "holder_id": holder_id, **overrides}
    if "first_day" in overrides:
        row.pop("starts")
        row.pop("ends")
    starts, ends = term(row)
    revoked = row["revoked_at"]
    return Grant(
        id=row["id"],
        kind=GrantKind(row["kind"]),
        holder_id=row["holder_id"],
        taxpayer_id=row["taxpayer_id"],
        module_id=row["module_id"],
        starts=starts,
        ends=ends,
        revoked_at=None if revoked is None else instant(revoked),
        granted_by=row["granted_by"],
        second_level_approved=row["second_level_approved"],
        agreement_id=row["agreement_id"],
        case_type=row["case_type"],
        job=row["job"],
    )


def agreement(overrides: dict[str, Any]) -> Agreement:
    row = {**DATA["defaults"]["agreement"], **overrides}
    starts, ends = term(row)
    return Agreement(
        id=row["id"],
        starts=starts,
        ends=ends,
        commands=frozenset(row["commands"]),
        categories=frozenset(row["categories"]),
        scope_taxpayers=frozenset(row["scope_taxpayers"]),
        scope_case_types=frozenset(row["scope_case_types"]),
        acknowledged_by=frozenset(row["acknowledged_by"]),
    )


def target(overrides: dict[str, Any]) -> Target:
    row = {**DATA["defaults"]["target"], **overrides}
    for key in ("joint_taxpayer_ids", "case_types"):
        if key in row:
            row[key] = frozenset(row[key])
    return Target(**row)


def build(row: dict[str, Any]) -> Slice:
    who = principal(row["principal"], row.get("principal_overrides", {}))
    return Slice(
        principal=who,
        command=command(row["command"]),
        target=target(row.get("target", {})),
        grants=tuple(grant(g, who.id) for g in row.get("grants", [])),
        agreements=tuple(agreement(a) for a in row.get("agreements", [])),
        now=instant(row.get("now", DATA["defaults"]["now"])),
        purpose=row.get("purpose", "scenario"),
    )


SCENARIOS: list[dict[str, Any]] = DATA["scenarios"]
