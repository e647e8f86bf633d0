"""What an access decision says, and the hash of the facts it was made on.

A decision must be replayable years later by someone who was not there: the audit log stores
the effect, the grant that permitted it, the reasons in a reviewer's words, the hash of the
policy texts in force (``policy_hash``) and the hash of the fact slice (``facts_hash``). With the
same policies and the same slice, ``decide`` returns the same decision, so both hashes together
pin it down.

``facts_hash`` is SHA-256 over a canonical JSON of the slice: keys sorted, no whitespace, UTF-8,
datetimes as RFC 3339 UTC (``2026-05-05T04:00:00Z``, a fraction only when non-zero; naive
datetimes are taken as UTC), sets as sorted lists, enums as their values, and grants and
agreements sorted by id (the store returns them in no particular order, and the order does not
change the decision). All keys are ASCII, so this is also the RFC 8785 ordering.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from idrs.access.facts import Access, Agreement, Command, Grant, GrantKind, Principal, Slice, Target

Effect = Literal["permit", "deny"]


@dataclass(frozen=True)
class Reason:
    """One determining policy (or the default-deny explainer) in a reviewer's words."""

    policy_id: str
    text: str


@dataclass(frozen=True)
class Decision:
    effect: Effect
    grant_id: int | None
    reasons: tuple[Reason, ...]
    policy_hash: str
    facts_hash: str

    @property
    def permitted(self) -> bool:
        return self.effect == "permit"

    @property
    def policy_ids(self) -> tuple[str, ...]:
        """The determining policy ids, in order, without repeats."""
        return tuple(dict.fromkeys(r.policy_id for r in self.reasons))


def rfc3339(moment: datetime) -> str:
    """``moment`` as RFC 3339 in UTC; naive datetimes are taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    text = moment.isoformat()  # a fraction only when non-zero, then six digits
    return (text.rstrip("0") if moment.microsecond else text) + "Z"


def _sorted(values: Iterable[Any]) -> list[Any]:
    # Enums here are StrEnums: they sort and serialise as their string values.
    return sorted(values)


def _opt_time(moment: datetime | None) -> str | None:
    return None if moment is None else rfc3339(moment)


def _principal(p: Principal) -> dict[str, Any]:
    return {
        "id": p.id,
        "status": p.status,
        "employment_type": p.employment_type,
        "roles": _sorted(p.roles),
        "profile": _sorted(p.profile),
        "clearance": p.clearance,
        "acknowledgements": _sorted(p.acknowledgements),
        "own_taxpayer_id": p.own_taxpayer_id,
        "spouse_ids": _sorted(p.spouse_ids),
        "household_ids": _sorted(p.household_ids),
        "covered_ids": _sorted(p.covered_ids),
        "interactive": p.interactive,
    }


def _command(c: Command) -> dict[str, Any]:
    return {
        "code": c.code,
        "access": Access(c.access).value,
        "categories": _sorted(c.categories),
        "grant_kinds": _sorted(c.grant_kinds),
        "name_search": c.name_search,
        "needs_approval": c.needs_approval,
        "description": c.description,
    }


def _target(t: Target) -> dict[str, Any]:
    return {
        "taxpayer_id": t.taxpayer_id,
        "exists": t.exists,
        "module_id": t.module_id,
        "joint_taxpayer_ids": _sorted(t.joint_taxpayer_ids),
        "employee": t.employee,
        "high_profile": t.high_profile,
        "case_types": _sorted(t.case_types),
    }


def _grant(g: Grant) -> dict[str, Any]:
    return {
        "id": g.id,
        "kind": GrantKind(g.kind).value,
        "holder_id": g.holder_id,
        "taxpayer_id": g.taxpayer_id,
        "module_id": g.module_id,
        "starts": rfc3339(g.starts),
        "ends": rfc3339(g.ends),
        "revoked_at": _opt_time(g.revoked_at),
        "granted_by": g.granted_by,
        "second_level_approved": g.second_level_approved,
        "agreement_id": g.agreement_id,
        "case_type": g.case_type,
        "job": g.job,
    }


def _agreement(a: Agreement) -> dict[str, Any]:
    return {
        "id": a.id,
        "starts": rfc3339(a.starts),
        "ends": rfc3339(a.ends),
        "commands": _sorted(a.commands),
        "categories": _sorted(a.categories),
        "scope_taxpayers": _sorted(a.scope_taxpayers),
        "scope_case_types": _sorted(a.scope_case_types),
        "acknowledged_by": _sorted(a.acknowledged_by),
    }


def canonical(slice_: Slice) -> dict[str, Any]:
    """The slice as plain JSON values (written out field by field: this runs on every request,
    and a test checks it against a generic walk of the dataclasses, so no field is missed)."""
    return {
        "principal": _principal(slice_.principal),
        "command": _command(slice_.command),
        "target": _target(slice_.target),
        "grants": [_grant(g) for g in sorted(slice_.grants, key=_by_id)],
        "agreements": [_agreement(a) for a in sorted(slice_.agreements, key=_by_id)],
        "now": rfc3339(slice_.now),
        "purpose": slice_.purpose,
    }


def _by_id(item: Grant | Agreement) -> int:
    return item.id


def canonical_json(slice_: Slice) -> str:
    """The slice as canonical JSON (see the module docstring)."""
    return json.dumps(canonical(slice_), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def facts_hash(slice_: Slice) -> str:
    """SHA-256 (hex) of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(slice_).encode("utf-8")).hexdigest()
