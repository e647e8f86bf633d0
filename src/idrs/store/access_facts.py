"""Fetch the small slice one access decision needs, by index, per request (never cached).

This is the only place access facts are read from taxpayer and staff tables. Each query is an
index look-up on the principal, the target taxpayer, or the grants joining the two, so the cost
does not grow with the size of the grant table.

Why so few statements, built once: a gated request pays for every round trip and for every
statement SQLAlchemy has to construct and key for its compiled cache, and that overhead was
most of a decision's cost (nine statements cost more than Cedar). So the statements are built
once, at import, with bind parameters (the compiled cache then hits on every call), and facts
that share a key come back together: everything about the principal in one ``UNION ALL`` (each
branch still a probe by index), the target taxpayer with its module and open cases in one, the
grants in one, and the agreements of those grants in four whatever their number. Only the
statements are reused; the facts are read afresh on every request, so a revocation takes
effect on the very next one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    case,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from idrs.access.facts import Agreement, Grant, GrantKind, Principal, Target
from idrs.access.tables import (
    acknowledgements,
    agreement_members,
    agreement_renewals,
    agreement_taxpayers,
    agreements,
    cases,
    command_profiles,
    covered_relationships,
    grants,
    unit_max_profiles,
)
from idrs.store.tables.modules import tax_modules
from idrs.store.tables.staff import staff, staff_roles
from idrs.store.tables.taxpayers import addresses, taxpayer_links, taxpayers

GRANT_HISTORY = 20  # recent grants kept in a slice so the explainer can say "expired on ..."


class UnknownPrincipal(LookupError):
    pass


def _tag(n: int):  # type: ignore[no-untyped-def]
    """A branch's constant tag, inlined in the SQL (so every branch is one statement text)."""
    return literal_column(str(n), Integer)


def _inline(*words: str) -> list[ColumnElement[str]]:
    """Constant words written into the SQL: a plain ``IN`` list would be a bind parameter
    expanded afresh on every execution."""
    return [literal_column(f"'{w}'", String) for w in words]


# -- the principal: one statement, a tagged row per fact ------------------------------------
# Tags: 0 the staff row (status, own taxpayer, employment type, clearance); 1 role; 2 profile
# code within the unit's maximum profile; 3 acknowledgement; 4 covered taxpayer; 5 spouse by
# cross-reference; 6 spouse by joint module; 7 household member. 5-7 are empty for a user who
# is not a taxpayer on file (their own id is NULL, and nothing equals NULL).
_SID = bindparam("sid", type_=staff.c.id.type)
_OWN = select(staff.c.taxpayer_id).where(staff.c.id == _SID).scalar_subquery()
_MY_STREET = (
    select(addresses.c.street_index)
    .where(addresses.c.taxpayer_id == _OWN, addresses.c.valid_to.is_(None))
    .scalar_subquery()
)
_PRINCIPAL = union_all(
    select(
        _tag(0).label("k"),
        staff.c.status.label("s"),
        staff.c.taxpayer_id.label("n"),
        staff.c.employment_type.label("s2"),
        staff.c.clearance.label("s3"),
    ).where(staff.c.id == _SID),
    select(_tag(1), staff_roles.c.role, null(), null(), null()).where(
        staff_roles.c.staff_id == _SID
    ),
    select(_tag(2), command_profiles.c.code, null(), null(), null())
    .select_from(
        command_profiles.join(staff, staff.c.id == command_profiles.c.staff_id).join(
            unit_max_profiles,
            and_(
                unit_max_profiles.c.code == command_profiles.c.code,
                unit_max_profiles.c.unit_id == staff.c.unit_id,
            ),
        )
    )
    .where(command_profiles.c.staff_id == _SID),
    select(_tag(3), acknowledgements.c.kind, null(), null(), null()).where(
        acknowledgements.c.staff_id == _SID
    ),
    select(_tag(4), null(), covered_relationships.c.taxpayer_id, null(), null()).where(
        covered_relationships.c.staff_id == _SID
    ),
    # current and former spouses by cross-reference, either way round: the other party
    select(
        _tag(5),
        null(),
        case(
            (taxpayer_links.c.taxpayer_id == _OWN, taxpayer_links.c.related_id),
            else_=taxpayer_links.c.taxpayer_id,
        ),
        null(),
        null(),
    ).where(
        taxpayer_links.c.kind.in_(_inline("spouse", "former_spouse")),
        or_(taxpayer_links.c.taxpayer_id == _OWN, taxpayer_links.c.related_id == _OWN),
    ),
    # any past joint return: the other spouse
    select(
        _tag(6),
        null(),
        case(
            (tax_modules.c.taxpayer_id == _OWN, tax_modules.c.secondary_taxpayer_id),
            else_=tax_modules.c.taxpayer_id,
        ),
        null(),
        null(),
    ).where(
        or_(tax_modules.c.taxpayer_id == _OWN, tax_modules.c.secondary_taxpayer_id == _OWN),
        tax_modules.c.secondary_taxpayer_id.is_not(None),
    ),
    # everyone whose current address is the same normalised street as the user's
    select(_tag(7), null(), addresses.c.taxpayer_id, null(), null()).where(
        addresses.c.street_index == _MY_STREET, addresses.c.valid_to.is_(None)
    ),
)


def principal_facts(conn: Connection, staff_id: int, *, interactive: bool = True) -> Principal:
    head = None
    sets: list[set[object]] = [set() for _ in range(8)]
    for k, s, n, s2, s3 in conn.execute(_PRINCIPAL, {"sid": staff_id}):
        if k == 0:
            head = (s, n, s2, s3)
        else:
            sets[k].add(s if n is None else n)
    if head is None:
        raise UnknownPrincipal(staff_id)
    status, own, employment_type, clearance = head
    spouses = (sets[5] | sets[6]) - {own, None}
    household = sets[7] - {own}
    return Principal(
        id=staff_id,
        status=status,
        employment_type=employment_type,
        roles=frozenset(sets[1]),  # type: ignore[arg-type]
        profile=frozenset(sets[2]),  # type: ignore[arg-type]
        clearance=clearance,
        acknowledgements=frozenset(sets[3]),  # type: ignore[arg-type]
        own_taxpayer_id=own,
        spouse_ids=frozenset(spouses) if own is not None else frozenset(),  # type: ignore[arg-type]
        household_ids=frozenset(household) if own is not None else frozenset(),  # type: ignore[arg-type]
        covered_ids=frozenset(sets[4]),  # type: ignore[arg-type]
        interactive=interactive,
    )


# -- the target: the taxpayer row, the module's two taxpayers and the open case types -------
_TID = bindparam("tid", type_=taxpayers.c.id.type)
_MID = bindparam("mid", type_=tax_modules.c.id.type)
_TARGET = union_all(
    select(
        _tag(0).label("k"),
        taxpayers.c.sensitivity.label("s"),
        tax_modules.c.taxpayer_id.label("n"),
        tax_modules.c.secondary_taxpayer_id.label("n2"),
        taxpayers.c.employee_flag.label("b"),
    )
    .select_from(taxpayers.outerjoin(tax_modules, tax_modules.c.id == _MID))
    .where(taxpayers.c.id == _TID),
    select(_tag(1), cases.c.category, null(), null(), null()).where(
        cases.c.taxpayer_id == _TID, cases.c.closed_at.is_(None)
    ),
)


def target_facts(conn: Connection, taxpayer_id: int | None, module_id: int | None) -> Target:
    if taxpayer_id is None:
        return Target(taxpayer_id=None, exists=False, module_id=None)
    head = None
    case_types: set[str] = set()
    for k, s, n, n2, b in conn.execute(_TARGET, {"tid": taxpayer_id, "mid": module_id}):
        if k == 0:
            head = (s, n, n2, b)
        else:
            case_types.add(s)
    if head is None:
        return Target(taxpayer_id=None, exists=False, module_id=None)
    sensitivity, primary, secondary, employee = head
    joint: frozenset[int] = frozenset()
    if module_id is not None and secondary is not None:
        joint = frozenset({primary, secondary})
    return Target(
        taxpayer_id=taxpayer_id,
        exists=True,
        module_id=module_id,
        joint_taxpayer_ids=joint,
        employee=bool(employee),
        high_profile=sensitivity == "high_profile",
        case_types=frozenset(case_types),
    )


# -- grants ---------------------------------------------------------------------------------
_HOLDER = bindparam("holder", type_=grants.c.holder_id.type)
_PEOPLE = 3  # a taxpayer and both spouses of a joint module: enough for every target
_GRANTS_ON = (
    select(grants)
    .where(
        grants.c.holder_id == _HOLDER,
        grants.c.taxpayer_id.in_(
            [bindparam(f"t{i}", type_=grants.c.taxpayer_id.type) for i in range(_PEOPLE)]
        ),
    )
    .order_by(grants.c.ends_at.desc())
    .limit(GRANT_HISTORY)
)
_GRANTS_ON_MANY = (
    select(grants)
    .where(
        grants.c.holder_id == _HOLDER,
        grants.c.taxpayer_id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(grants.c.ends_at.desc())
    .limit(GRANT_HISTORY)
)
_GRANTS_ANY = (
    select(grants)
    .where(
        grants.c.holder_id == _HOLDER,
        grants.c.kind.in_(_inline("contact", "case")),
        grants.c.ends_at > bindparam("now", type_=grants.c.ends_at.type),
        grants.c.revoked_at.is_(None),
    )
    .order_by(grants.c.ends_at.desc())
    .limit(GRANT_HISTORY)
)


def grant_facts(
    conn: Connection, holder_id: int, target: Target, now: datetime, *, any_taxpayer: bool
) -> tuple[Grant, ...]:
    """The holder's grants that could apply: on the target (or joint spouses), or, for a name
    search, any active contact or case grant. Recent lapsed ones are kept for the explainer."""
    if any_taxpayer:
        rows = conn.execute(_GRANTS_ANY, {"holder": holder_id, "now": now})
    else:
        ids = set(target.joint_taxpayer_ids)
        if target.taxpayer_id is not None:
            ids.add(target.taxpayer_id)
        if not ids:
            return ()
        wanted = sorted(ids)
        if len(wanted) > _PEOPLE:
            rows = conn.execute(_GRANTS_ON_MANY, {"holder": holder_id, "ids": wanted})
        else:  # padded with repeats: one statement text, no list expanded per call
            padded = (wanted * _PEOPLE)[:_PEOPLE]
            params = {f"t{i}": v for i, v in enumerate(padded)}
            rows = conn.execute(_GRANTS_ON, {"holder": holder_id, **params})
    return tuple(_grant(r) for r in rows)


def _grant(r: Row[Any]) -> Grant:
    return Grant(
        id=r.id,
        kind=GrantKind(r.kind),
        holder_id=r.holder_id,
        taxpayer_id=r.taxpayer_id,
        module_id=r.module_id,
        starts=r.starts_at,
        ends=r.ends_at,
        revoked_at=r.revoked_at,
        granted_by=r.granted_by,
        second_level_approved=r.second_level_approved_by is not None,
        agreement_id=r.agreement_id,
        case_type=r.case_type,
        job=r.job,
    )


# -- agreements: four statements for all of a slice's agreements ----------------------------
_AIDS: BindParameter[int] = bindparam("aids", expanding=True)
_AGREEMENTS = select(
    agreements.c.id,
    agreements.c.starts_on,
    agreements.c.ends_on,
    agreements.c.commands,
    agreements.c.categories,
    agreements.c.case_types,
).where(agreements.c.id.in_(_AIDS))
_RENEWALS = select(agreement_renewals.c.agreement_id, agreement_renewals.c.ends_on).where(
    agreement_renewals.c.agreement_id.in_(_AIDS)
)
_IN_SCOPE = select(agreement_taxpayers.c.agreement_id, agreement_taxpayers.c.taxpayer_id).where(
    agreement_taxpayers.c.agreement_id.in_(_AIDS),
    agreement_taxpayers.c.taxpayer_id == bindparam("tid", type_=taxpayers.c.id.type),
)
_ACKNOWLEDGED = (
    select(acknowledgements.c.agreement_id, acknowledgements.c.staff_id)
    .join(
        agreement_members,
        and_(
            agreement_members.c.staff_id == acknowledgements.c.staff_id,
            agreement_members.c.agreement_id == acknowledgements.c.agreement_id,
        ),
    )
    .where(acknowledgements.c.kind == "agreement", acknowledgements.c.agreement_id.in_(_AIDS))
)


def agreement_facts(
    conn: Connection, ids: set[int], target: Target, zone: ZoneInfo
) -> tuple[Agreement, ...]:
    if not ids:
        return ()
    wanted = {"aids": sorted(ids)}
    rows = {r.id: r for r in conn.execute(_AGREEMENTS, wanted)}
    if not rows:
        return ()
    last_day = {aid: r.ends_on for aid, r in rows.items()}
    for aid, ends_on in conn.execute(_RENEWALS, wanted):
        last_day[aid] = max(last_day[aid], ends_on)
    in_scope = _pairs(())
    if target.taxpayer_id is not None:
        in_scope = _pairs(conn.execute(_IN_SCOPE, {**wanted, "tid": target.taxpayer_id}))
    acknowledged = _pairs(conn.execute(_ACKNOWLEDGED, wanted))
    return tuple(
        Agreement(
            id=aid,
            starts=day_start(row.starts_on, zone),
            ends=day_start(last_day[aid] + timedelta(days=1), zone),
            commands=frozenset(row.commands.split()),
            categories=frozenset(row.categories.split()),
            scope_taxpayers=frozenset(in_scope.get(aid, ())),
            scope_case_types=frozenset((row.case_types or "").split()),
            acknowledged_by=frozenset(acknowledged.get(aid, ())),
        )
        for aid, row in sorted(rows.items())
    )


def _pairs(rows: Iterable[Any]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for key, value in rows:
        out.setdefault(key, set()).add(value)
    return out


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant a business day begins in the agency's time zone (terms are whole days)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
