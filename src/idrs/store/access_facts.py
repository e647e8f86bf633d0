"""Fetch the small slice one access decision needs, by index, per request (never cached).

This is the only place access facts are read from taxpayer and staff tables. Each query is an
index look-up on the principal, the target taxpayer, or the grants joining the two, so the cost
does not grow with the size of the grant table.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

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


def principal_facts(conn: Connection, staff_id: int, *, interactive: bool = True) -> Principal:
    row = conn.execute(select(staff).where(staff.c.id == staff_id)).first()
    if row is None:
        raise UnknownPrincipal(staff_id)
    roles = frozenset(
        conn.execute(select(staff_roles.c.role).where(staff_roles.c.staff_id == staff_id))
        .scalars()
        .all()
    )
    # a user's profile is bounded by the maximum profile of their unit, as in IDRS
    profile = frozenset(
        conn.execute(
            select(command_profiles.c.code)
            .join(
                unit_max_profiles,
                and_(
                    unit_max_profiles.c.code == command_profiles.c.code,
                    unit_max_profiles.c.unit_id == row.unit_id,
                ),
            )
            .where(command_profiles.c.staff_id == staff_id)
        )
        .scalars()
        .all()
    )
    acks = frozenset(
        conn.execute(select(acknowledgements.c.kind).where(acknowledgements.c.staff_id == staff_id))
        .scalars()
        .all()
    )
    own = row.taxpayer_id
    return Principal(
        id=staff_id,
        status=row.status,
        employment_type=row.employment_type,
        roles=roles,
        profile=profile,
        clearance=row.clearance,
        acknowledgements=acks,
        own_taxpayer_id=own,
        spouse_ids=_spouses(conn, own) if own is not None else frozenset(),
        household_ids=_household(conn, own) if own is not None else frozenset(),
        covered_ids=frozenset(
            conn.execute(
                select(covered_relationships.c.taxpayer_id).where(
                    covered_relationships.c.staff_id == staff_id
                )
            )
            .scalars()
            .all()
        ),
        interactive=interactive,
    )


def _spouses(conn: Connection, own: int) -> frozenset[int]:
    """Current and former spouses: cross-references both ways, plus any past joint return."""
    linked = conn.execute(
        select(taxpayer_links.c.taxpayer_id, taxpayer_links.c.related_id).where(
            taxpayer_links.c.kind.in_(("spouse", "former_spouse")),
            or_(taxpayer_links.c.taxpayer_id == own, taxpayer_links.c.related_id == own),
        )
    ).all()
    joint = conn.execute(
        select(tax_modules.c.taxpayer_id, tax_modules.c.secondary_taxpayer_id).where(
            or_(tax_modules.c.taxpayer_id == own, tax_modules.c.secondary_taxpayer_id == own),
            tax_modules.c.secondary_taxpayer_id.is_not(None),
        )
    ).all()
    ids = {i for pair in [*linked, *joint] for i in pair if i is not None}
    ids.discard(own)
    return frozenset(ids)


def _household(conn: Connection, own: int) -> frozenset[int]:
    """Everyone whose current address is the same normalised street as the user's."""
    mine = (
        select(addresses.c.street_index)
        .where(addresses.c.taxpayer_id == own, addresses.c.valid_to.is_(None))
        .scalar_subquery()
    )
    ids = set(
        conn.execute(
            select(addresses.c.taxpayer_id).where(
                addresses.c.street_index == mine, addresses.c.valid_to.is_(None)
            )
        )
        .scalars()
        .all()
    )
    ids.discard(own)
    return frozenset(ids)


def target_facts(conn: Connection, taxpayer_id: int | None, module_id: int | None) -> Target:
    if taxpayer_id is None:
        return Target(taxpayer_id=None, exists=False, module_id=None)
    row = conn.execute(
        select(taxpayers.c.employee_flag, taxpayers.c.sensitivity).where(
            taxpayers.c.id == taxpayer_id
        )
    ).first()
    if row is None:
        return Target(taxpayer_id=None, exists=False, module_id=None)
    joint: frozenset[int] = frozenset()
    if module_id is not None:
        mod = conn.execute(
            select(tax_modules.c.taxpayer_id, tax_modules.c.secondary_taxpayer_id).where(
                tax_modules.c.id == module_id
            )
        ).first()
        if mod is not None and mod.secondary_taxpayer_id is not None:
            joint = frozenset({mod.taxpayer_id, mod.secondary_taxpayer_id})
    case_types = frozenset(
        conn.execute(
            select(cases.c.category).where(
                cases.c.taxpayer_id == taxpayer_id, cases.c.closed_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    return Target(
        taxpayer_id=taxpayer_id,
        exists=True,
        module_id=module_id,
        joint_taxpayer_ids=joint,
        employee=bool(row.employee_flag),
        high_profile=row.sensitivity == "high_profile",
        case_types=case_types,
    )


def grant_facts(
    conn: Connection, holder_id: int, target: Target, now: datetime, *, any_taxpayer: bool
) -> tuple[Grant, ...]:
    """The holder's grants that could apply: on the target (or joint spouses), or, for a name
    search, any active contact or case grant. Recent lapsed ones are kept for the explainer."""
    q = select(grants).where(grants.c.holder_id == holder_id)
    if any_taxpayer:
        q = q.where(
            grants.c.kind.in_(("contact", "case")),
            grants.c.ends_at > now,
            grants.c.revoked_at.is_(None),
        )
    else:
        ids = set(target.joint_taxpayer_ids)
        if target.taxpayer_id is not None:
            ids.add(target.taxpayer_id)
        if not ids:
            return ()
        q = q.where(grants.c.taxpayer_id.in_(sorted(ids)))
    rows = conn.execute(q.order_by(grants.c.ends_at.desc()).limit(GRANT_HISTORY)).all()
    return tuple(_grant(r) for r in rows)


def _grant(r) -> Grant:  # type: ignore[no-untyped-def]
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


def agreement_facts(
    conn: Connection, ids: set[int], target: Target, zone: ZoneInfo
) -> tuple[Agreement, ...]:
    out = []
    for agreement_id in sorted(ids):
        row = conn.execute(select(agreements).where(agreements.c.id == agreement_id)).first()
        if row is None:
            continue
        last_day = max(
            [
                row.ends_on,
                *conn.execute(
                    select(agreement_renewals.c.ends_on).where(
                        agreement_renewals.c.agreement_id == agreement_id
                    )
                ).scalars(),
            ]
        )
        in_scope: frozenset[int] = frozenset()
        if target.taxpayer_id is not None:
            in_scope = frozenset(
                conn.execute(
                    select(agreement_taxpayers.c.taxpayer_id).where(
                        agreement_taxpayers.c.agreement_id == agreement_id,
                        agreement_taxpayers.c.taxpayer_id == target.taxpayer_id,
                    )
                ).scalars()
            )
        acknowledged = frozenset(
            conn.execute(
                select(acknowledgements.c.staff_id)
                .join(
                    agreement_members,
                    and_(
                        agreement_members.c.staff_id == acknowledgements.c.staff_id,
                        agreement_members.c.agreement_id == agreement_id,
                    ),
                )
                .where(
                    acknowledgements.c.kind == "agreement",
                    acknowledgements.c.agreement_id == agreement_id,
                )
            ).scalars()
        )
        out.append(
            Agreement(
                id=agreement_id,
                starts=day_start(row.starts_on, zone),
                ends=day_start(last_day + timedelta(days=1), zone),
                commands=frozenset(row.commands.split()),
                categories=frozenset(row.categories.split()),
                scope_taxpayers=in_scope,
                scope_case_types=frozenset((row.case_types or "").split()),
                acknowledged_by=acknowledged,
            )
        )
    return tuple(out)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant a business day begins in the agency's time zone (terms are whole days)."""
    from datetime import UTC

    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
