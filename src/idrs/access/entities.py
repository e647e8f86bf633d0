"""A fact slice as Cedar entities and requests, typed strictly.

The Cedar schema (``policies/idrs.cedarschema``) validates the policies once at start-up. It is
not applied again to every request: that costs more than the whole rest of a decision. Instead
this builder checks every value's Python type against what the schema declares (an ``int``
where a ``Long`` goes, a ``bool`` where a ``Bool`` goes, a known enum value for kinds) and
raises ``TypeError``/``ValueError`` otherwise, which ``decide`` turns into a refusal. Without
that check a stringly-typed id would not match in ``containsAny`` and a conflict-of-interest
forbid would silently not fire. A property test holds the builder's output to the schema.

Precomputed here (see also :mod:`idrs.access.policy`): instants as Long microseconds since the
epoch, the target's ``people`` (its taxpayer and both spouses of a joint module), the user's own
taxpayer id as a set of zero or one, and a grant's ``agreement`` reference only when the
agreement is in the slice.

The user's ``profile`` may be sent as only the command's own code (or nothing, if it is not in
the profile): ``profile_for_command=True``. Cedar's cost grows with every value it parses, and
a profile of dozens of codes was a third of a decision. The policies test the profile only as
``principal.profile.contains(context.command.code)``, for which the two are equivalent;
:mod:`idrs.access.policy` checks at load time that this is the only use before allowing it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from idrs.access.facts import Access, Agreement, Grant, GrantKind, Slice

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
TARGET_UID = {"type": "Taxpayer", "id": "target"}


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch; naive datetimes are taken as UTC."""
    if type(moment) is not datetime:
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


def _int(value: object) -> int:
    if type(value) is not int:  # bool is an int subclass: refused too
        raise TypeError(f"expected an int id, got {value!r}")
    return value


def _ints(values: Iterable[object]) -> list[int]:
    return sorted(_int(v) for v in values)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a str, got {value!r}")
    return str(value)


def _strs(values: Iterable[object]) -> list[str]:
    return sorted(_str(v) for v in values)


def _bool(value: object) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected a bool, got {value!r}")
    return value


def command_record(slice_: Slice) -> dict[str, Any]:
    command = slice_.command
    return {
        "code": _str(command.code),
        "access": Access(command.access).value,
        "categories": _strs(command.categories),
        "grant_kinds": sorted(GrantKind(k).value for k in command.grant_kinds),
    }


def entities_json(
    slice_: Slice, grants: Iterable[Grant], *, profile_for_command: bool = False
) -> str:
    """User, target, the agreements and ``grants`` as a Cedar entities document."""
    p, t = slice_.principal, slice_.target
    profile = _strs(p.profile)  # every value is type-checked, whatever is sent
    if profile_for_command:
        code = _str(slice_.command.code)
        profile = [code] if code in profile else []
    joint = _ints(t.joint_taxpayer_ids)
    target: dict[str, Any] = {
        "exists": _bool(t.exists),
        "people": sorted(
            set(joint) | ({_int(t.taxpayer_id)} if t.taxpayer_id is not None else set())
        ),
        "joint": joint,
        "employee": _bool(t.employee),
        "high_profile": _bool(t.high_profile),
        "case_types": _strs(t.case_types),
    }
    if t.taxpayer_id is not None:
        target["tid"] = _int(t.taxpayer_id)
    if t.module_id is not None:
        target["module"] = _int(t.module_id)
    user = {
        "sid": _int(p.id),
        "status": _str(p.status),
        "employment_type": _str(p.employment_type),
        "roles": _strs(p.roles),
        "profile": profile,
        "clearance": _str(p.clearance),
        "acknowledgements": _strs(p.acknowledgements),
        "own_taxpayer_ids": [] if p.own_taxpayer_id is None else [_int(p.own_taxpayer_id)],
        "spouse_ids": _ints(p.spouse_ids),
        "household_ids": _ints(p.household_ids),
        "covered_ids": _ints(p.covered_ids),
        "interactive": _bool(p.interactive),
    }
    entities = [_entity("User", str(p.id), user), _entity("Taxpayer", "target", target)]
    on_file = {_int(a.id): a for a in slice_.agreements}
    entities += [_entity("Agreement", str(a.id), _agreement(a)) for a in on_file.values()]
    entities += [_entity("Grant", str(g.id), _grant(g, g.agreement_id in on_file)) for g in grants]
    return json.dumps(entities)


def _agreement(a: Agreement) -> dict[str, Any]:
    return {
        "starts": micros(a.starts),
        "ends": micros(a.ends),
        "commands": _strs(a.commands),
        "categories": _strs(a.categories),
        "scope_taxpayers": _ints(a.scope_taxpayers),
        "scope_case_types": _strs(a.scope_case_types),
        "acknowledged_by": _ints(a.acknowledged_by),
    }


def _grant(g: Grant, agreement_on_file: bool) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "gid": _int(g.id),
        "kind": GrantKind(g.kind).value,
        "holder": _int(g.holder_id),
        "starts": micros(g.starts),
        "ends": micros(g.ends),
        "second_level_approved": _bool(g.second_level_approved),
    }
    if g.taxpayer_id is not None:
        attrs["taxpayer"] = _int(g.taxpayer_id)
    if g.module_id is not None:
        attrs["module"] = _int(g.module_id)
    if g.revoked_at is not None:
        attrs["revoked_at"] = micros(g.revoked_at)
    if g.granted_by is not None:
        attrs["granted_by"] = _int(g.granted_by)
    if agreement_on_file:
        attrs["agreement"] = {"__entity": {"type": "Agreement", "id": str(g.agreement_id)}}
    return attrs


def _entity(kind: str, uid: str, attrs: dict[str, Any]) -> dict[str, Any]:
    return {"uid": {"type": kind, "id": uid}, "attrs": attrs, "parents": []}


def requests(
    slice_: Slice, action: str, maker: int | None, grants: Iterable[Grant]
) -> list[dict[str, Any]]:
    """One request per grant (``context.grant``), or one without a grant if there are none."""
    context: dict[str, Any] = {"now": micros(slice_.now), "command": command_record(slice_)}
    if maker is not None:
        context["maker"] = _int(maker)
    base = {
        "principal": {"type": "User", "id": str(_int(slice_.principal.id))},
        "action": {"type": "Action", "id": action},
        "resource": TARGET_UID,
    }
    return [
        {**base, "context": {**context, "grant": {"__entity": {"type": "Grant", "id": str(g.id)}}}}
        for g in grants
    ] or [{**base, "context": context}]
