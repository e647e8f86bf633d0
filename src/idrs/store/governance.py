"""Rows of access governance: the reads and writes behind ``idrs.access.governance``.

Kept in ``idrs.store`` because they touch staff and taxpayer tables; callers are the governance
service, which audits every change in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from idrs.access.tables import (
    acknowledgements,
    agreement_members,
    agreement_renewals,
    agreement_taxpayers,
    agreements,
    cases,
    grants,
    oversight_queue,
)
from idrs.store.tables.staff import staff, staff_roles


def staff_row(conn: Connection, staff_id: int) -> Row[Any] | None:
    return conn.execute(select(staff).where(staff.c.id == staff_id)).first()


def staff_id_for_username(conn: Connection, username: str) -> int | None:
    return conn.execute(select(staff.c.id).where(staff.c.username == username)).scalar_one_or_none()


def roles_of(conn: Connection, staff_id: int) -> frozenset[str]:
    return frozenset(
        conn.execute(select(staff_roles.c.role).where(staff_roles.c.staff_id == staff_id)).scalars()
    )


def insert_grant(conn: Connection, **values: Any) -> int:
    return int(conn.execute(insert(grants).values(**values).returning(grants.c.id)).scalar_one())


def grant_row(conn: Connection, grant_id: int) -> Row[Any] | None:
    return conn.execute(select(grants).where(grants.c.id == grant_id)).first()


def revoke_grants(
    conn: Connection, ids: list[int], *, at: datetime, by: int | None, reason: str
) -> None:
    if ids:
        conn.execute(
            update(grants)
            .where(grants.c.id.in_(ids), grants.c.revoked_at.is_(None))
            .values(revoked_at=at, revoked_by=by, revoke_reason=reason)
        )


def live_grant_ids(
    conn: Connection,
    now: datetime,
    *,
    holder_id: int | None = None,
    taxpayer_id: int | None = None,
    kind: str | None = None,
    case_id: int | None = None,
) -> list[int]:
    q = select(grants.c.id).where(grants.c.revoked_at.is_(None), grants.c.ends_at > now)
    if holder_id is not None:
        q = q.where(grants.c.holder_id == holder_id)
    if taxpayer_id is not None:
        q = q.where(grants.c.taxpayer_id == taxpayer_id)
    if kind is not None:
        q = q.where(grants.c.kind == kind)
    if case_id is not None:
        q = q.where(grants.c.case_id == case_id)
    return list(conn.execute(q.order_by(grants.c.id)).scalars())


def live_grants_on(conn: Connection, taxpayer_id: int, now: datetime) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(grants, staff.c.username)
            .join(staff, staff.c.id == grants.c.holder_id)
            .where(
                grants.c.taxpayer_id == taxpayer_id,
                grants.c.revoked_at.is_(None),
                grants.c.ends_at > now,
                grants.c.starts_at <= now,
            )
            .order_by(grants.c.id)
        )
    )


def live_grants_of(conn: Connection, holder_id: int, now: datetime) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(grants)
            .where(
                grants.c.holder_id == holder_id,
                grants.c.revoked_at.is_(None),
                grants.c.ends_at > now,
                grants.c.starts_at <= now,
            )
            .order_by(grants.c.id)
        )
    )


def approve_grant(conn: Connection, grant_id: int, approver: int) -> None:
    conn.execute(
        update(grants).where(grants.c.id == grant_id).values(second_level_approved_by=approver)
    )


def recertify_grant(conn: Connection, grant_id: int, at: datetime) -> None:
    conn.execute(update(grants).where(grants.c.id == grant_id).values(recertified_at=at))


def insert_case(conn: Connection, **values: Any) -> int:
    return int(conn.execute(insert(cases).values(**values).returning(cases.c.id)).scalar_one())


def case_row(conn: Connection, case_id: int) -> Row[Any] | None:
    return conn.execute(select(cases).where(cases.c.id == case_id)).first()


def close_case_row(conn: Connection, case_id: int, at: datetime) -> None:
    conn.execute(update(cases).where(cases.c.id == case_id).values(closed_at=at))


def open_cases_of(conn: Connection, assignee_id: int) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(cases).where(cases.c.assignee_id == assignee_id, cases.c.closed_at.is_(None))
        )
    )


def reassign_case(conn: Connection, case_id: int, assignee_id: int) -> None:
    conn.execute(update(cases).where(cases.c.id == case_id).values(assignee_id=assignee_id))


def set_staff_status(conn: Connection, staff_id: int, status: str, at: datetime) -> None:
    values: dict[str, Any] = {"status": status}
    if status == "separated":
        values["separated_at"] = at
    conn.execute(update(staff).where(staff.c.id == staff_id).values(**values))


def insert_agreement(
    conn: Connection, *, taxpayer_ids: list[int], member_ids: list[int], **values: Any
) -> int:
    agreement_id = int(
        conn.execute(insert(agreements).values(**values).returning(agreements.c.id)).scalar_one()
    )
    for tid in sorted(set(taxpayer_ids)):
        conn.execute(insert(agreement_taxpayers).values(agreement_id=agreement_id, taxpayer_id=tid))
    for sid in sorted(set(member_ids)):
        conn.execute(insert(agreement_members).values(agreement_id=agreement_id, staff_id=sid))
    return agreement_id


def agreement_row(conn: Connection, agreement_id: int) -> Row[Any] | None:
    return conn.execute(select(agreements).where(agreements.c.id == agreement_id)).first()


def agreement_last_day(conn: Connection, agreement_id: int) -> date | None:
    row = agreement_row(conn, agreement_id)
    if row is None:
        return None
    renewals = conn.execute(
        select(agreement_renewals.c.ends_on).where(
            agreement_renewals.c.agreement_id == agreement_id
        )
    ).scalars()
    return max([row.ends_on, *renewals])


def is_agreement_member(conn: Connection, agreement_id: int, staff_id: int) -> bool:
    return (
        conn.execute(
            select(agreement_members.c.staff_id).where(
                agreement_members.c.agreement_id == agreement_id,
                agreement_members.c.staff_id == staff_id,
            )
        ).first()
        is not None
    )


def insert_renewal(conn: Connection, **values: Any) -> None:
    conn.execute(insert(agreement_renewals).values(**values))


def insert_acknowledgement(conn: Connection, **values: Any) -> None:
    conn.execute(insert(acknowledgements).values(**values))


def insert_alert(conn: Connection, **values: Any) -> int:
    return int(
        conn.execute(
            insert(oversight_queue).values(**values).returning(oversight_queue.c.id)
        ).scalar_one()
    )


def open_alerts(conn: Connection) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(oversight_queue, staff.c.username)
            .join(staff, staff.c.id == oversight_queue.c.staff_id)
            .where(oversight_queue.c.open.is_(True))
            .order_by(oversight_queue.c.id)
        )
    )


def review_alert(conn: Connection, alert_id: int, by: int, at: datetime, outcome: str) -> bool:
    done = conn.execute(
        update(oversight_queue)
        .where(oversight_queue.c.id == alert_id, oversight_queue.c.open.is_(True))
        .values(open=False, reviewed_by=by, reviewed_at=at, outcome=outcome)
    )
    return done.rowcount == 1


def replace_unit_profile(conn: Connection, unit_id: int, codes: set[str]) -> None:
    from sqlalchemy import delete

    from idrs.access.tables import unit_max_profiles

    conn.execute(delete(unit_max_profiles).where(unit_max_profiles.c.unit_id == unit_id))
    if codes:
        conn.execute(
            insert(unit_max_profiles), [{"unit_id": unit_id, "code": c} for c in sorted(codes)]
        )


def replace_staff_profile(conn: Connection, staff_id: int, codes: set[str]) -> None:
    from sqlalchemy import delete

    from idrs.access.tables import command_profiles

    conn.execute(delete(command_profiles).where(command_profiles.c.staff_id == staff_id))
    if codes:
        conn.execute(
            insert(command_profiles), [{"staff_id": staff_id, "code": c} for c in sorted(codes)]
        )


def staff_with_units(conn: Connection) -> list[Row[Any]]:
    from idrs.store.tables.staff import units

    return list(
        conn.execute(
            select(staff.c.id, staff.c.username, staff.c.employment_type, units.c.code)
            .join(units, units.c.id == staff.c.unit_id)
            .order_by(staff.c.id)
        )
    )


def unit_ids(conn: Connection) -> dict[str, int]:
    from idrs.store.tables.staff import units

    return {r.code: r.id for r in conn.execute(select(units.c.code, units.c.id))}


def first_plain_individual(conn: Connection) -> int | None:
    """A taxpayer who is not staff and has a module: somewhere for a demo case to point."""
    from idrs.store.tables.modules import tax_modules
    from idrs.store.tables.taxpayers import taxpayers

    return conn.execute(
        select(taxpayers.c.id)
        .join(tax_modules, tax_modules.c.taxpayer_id == taxpayers.c.id)
        .where(
            taxpayers.c.employee_flag.is_(False),
            taxpayers.c.entity_kind == "individual",
            taxpayers.c.sensitivity == "none",  # a high-profile account needs a second level
        )
        .order_by(taxpayers.c.id)
        .limit(1)
    ).scalar_one_or_none()


def employee_number_and_unit(conn: Connection, staff_id: int) -> tuple[str, str]:
    from idrs.store.tables.staff import units

    row = conn.execute(
        select(staff.c.employee_number, units.c.code)
        .join(units, units.c.id == staff.c.unit_id)
        .where(staff.c.id == staff_id)
    ).first()
    return ("", "") if row is None else (str(row.employee_number), str(row.code))


def insert_approval_request(conn: Connection, **values: Any) -> int:
    from idrs.access.tables import approval_requests

    return int(
        conn.execute(
            insert(approval_requests).values(**values).returning(approval_requests.c.id)
        ).scalar_one()
    )


def approval_request(conn: Connection, request_id: int) -> Row[Any] | None:
    from idrs.access.tables import approval_requests

    return conn.execute(
        select(approval_requests).where(approval_requests.c.id == request_id)
    ).first()


def decide_approval_request(
    conn: Connection, request_id: int, status: str, approver: int, at: datetime
) -> bool:
    from idrs.access.tables import approval_requests

    done = conn.execute(
        update(approval_requests)
        .where(approval_requests.c.id == request_id, approval_requests.c.status == "pending")
        .values(status=status, approver_id=approver, decided_at=at)
    )
    return done.rowcount == 1
