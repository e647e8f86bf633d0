"""Read repository for the command codes: pending input, control bases, history, holds.

Why here: taxpayer tables are queried only in ``idrs.store``; the commands get frozen values.
Every query is an index look-up on one taxpayer or one module. Free text and addresses are
decrypted here; a TIN leaves only masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from idrs.access.tables import cases
from idrs.domain.tin import Tin
from idrs.store.crypto import Vault, norm_surname, norm_surname_zip
from idrs.store.tables.modules import module_status_history, pending_transactions
from idrs.store.tables.taxpayers import addresses, taxpayers
from idrs.store.tables.work import (
    history_items,
    installment_agreements,
    notice_holds,
    pending_entity_changes,
)

SHOWN_PENDING = ("PN", "AP", "UP", "NU")  # NU: nullified (a rejected maker-checker write)
NAME_SEARCH_LIMIT = 50


@dataclass(frozen=True)
class Pending:
    id: int
    module_id: int
    tc: int
    amount_cents: int
    dln: str
    status: str
    transaction_date: date
    input_date: date
    action_code: int | None
    reason_code: int | None
    created_by: int | None
    detail: dict[str, str]

    @property
    def live(self) -> bool:
        """Still on its way to posting (PN) or waiting for an approver (AP)."""
        return self.status in ("PN", "AP")


@dataclass(frozen=True)
class PendingEntity:
    id: int
    tc: int
    dln: str
    status: str
    input_date: date
    name_control: str | None
    change: dict[str, str]


@dataclass(frozen=True)
class Control:
    id: int
    module_id: int | None
    status: str
    category: str
    activity: str | None
    assignee_id: int
    received_on: date | None
    opened_at: datetime
    control_dln: str | None


@dataclass(frozen=True)
class HistoryItem:
    entered_on: date
    staff_id: int
    module_id: int | None
    text: str


@dataclass(frozen=True)
class StatusChange:
    status_code: int
    status_date: date
    cycle: int | None


@dataclass(frozen=True)
class Installment:
    monthly_cents: int
    payment_day: int
    first_payment_on: date
    direct_debit: bool
    dln: str
    created_at: datetime


@dataclass(frozen=True)
class Hold:
    status_code: int
    cycles: int
    hold_until: date


@dataclass(frozen=True)
class NameHit:
    tin_masked: str
    name: str
    city: str
    state: str


def pending_of(conn: Connection, module_id: int) -> list[Pending]:
    t = pending_transactions
    rows = conn.execute(
        select(t)
        .where(t.c.module_id == module_id, t.c.status.in_(SHOWN_PENDING))
        .order_by(t.c.input_date, t.c.id)
    ).all()
    return [
        Pending(
            r.id,
            r.module_id,
            r.tc,
            r.amount_cents,
            r.dln,
            r.status,
            r.transaction_date,
            r.input_date,
            r.action_code,
            r.reason_code,
            r.created_by,
            json.loads(r.detail) if r.detail else {},
        )
        for r in rows
    ]


def pending_entity_of(conn: Connection, vault: Vault, taxpayer_id: int) -> list[PendingEntity]:
    t = pending_entity_changes
    rows = conn.execute(
        select(t)
        .where(t.c.taxpayer_id == taxpayer_id, t.c.status.in_(SHOWN_PENDING))
        .order_by(t.c.id)
    ).all()
    return [
        PendingEntity(
            r.id,
            r.tc,
            r.dln,
            r.status,
            r.input_date,
            r.name_control,
            json.loads(vault.decrypt(conn, "pending_entity_changes.change", r.change_enc, r.id)),
        )
        for r in rows
    ]


def controls_of(conn: Connection, taxpayer_id: int) -> list[Control]:
    rows = conn.execute(
        select(cases).where(cases.c.taxpayer_id == taxpayer_id).order_by(cases.c.id)
    ).all()
    return [
        Control(
            r.id,
            r.module_id,
            "C" if r.closed_at is not None else r.status,
            r.category,
            r.activity,
            r.assignee_id,
            r.received_on,
            r.opened_at,
            r.control_dln,
        )
        for r in rows
    ]


def history_of(conn: Connection, vault: Vault, taxpayer_id: int) -> list[HistoryItem]:
    t = history_items
    rows = conn.execute(
        select(t).where(t.c.taxpayer_id == taxpayer_id).order_by(t.c.id.desc())
    ).all()
    return [
        HistoryItem(
            r.entered_on,
            r.staff_id,
            r.module_id,
            vault.decrypt_text(conn, "history_items.text", r.text_enc, r.id),
        )
        for r in rows
    ]


def status_history(conn: Connection, module_id: int) -> list[StatusChange]:
    t = module_status_history
    rows = conn.execute(
        select(t).where(t.c.module_id == module_id).order_by(t.c.status_date.desc(), t.c.id.desc())
    ).all()
    return [StatusChange(r.status_code, r.status_date, r.cycle) for r in rows]


def installment_of(conn: Connection, module_id: int) -> Installment | None:
    t = installment_agreements
    r = conn.execute(
        select(t).where(t.c.module_id == module_id).order_by(t.c.id.desc()).limit(1)
    ).first()
    if r is None:
        return None
    return Installment(
        r.monthly_cents,
        r.payment_day,
        r.first_payment_on,
        bool(r.direct_debit),
        r.dln,
        r.created_at,
    )


def holds_of(conn: Connection, module_id: int, today: date) -> list[Hold]:
    t = notice_holds
    rows = conn.execute(
        select(t).where(t.c.module_id == module_id, t.c.hold_until >= today).order_by(t.c.id)
    ).all()
    return [Hold(r.status_code, r.cycles, r.hold_until) for r in rows]


def address_history(conn: Connection, vault: Vault, taxpayer_id: int) -> list[tuple[str, date]]:
    """Earlier addresses (one line each) with the date they were replaced, newest first."""
    rows = conn.execute(
        select(addresses)
        .where(addresses.c.taxpayer_id == taxpayer_id, addresses.c.valid_to.is_not(None))
        .order_by(addresses.c.valid_to.desc())
    ).all()
    text = vault.decrypt_text
    return [
        (
            f"{text(conn, 'addresses.street', r.street_enc, r.id)} "
            f"{text(conn, 'addresses.city', r.city_enc, r.id)} {r.state} "
            f"{text(conn, 'addresses.zip', r.zip_enc, r.id)}",
            r.valid_to,
        )
        for r in rows
    ]


def search_names(
    conn: Connection,
    vault: Vault,
    surname: str,
    zip_code: str | None = None,
    *,
    business: bool = False,
) -> list[NameHit]:
    """NAMES (individuals, by surname) and NAMEE (businesses, by the first word of the name), with
    an optional ZIP; by blind index only; masked TIN, name, city/state.

    At most :data:`NAME_SEARCH_LIMIT` hits: a name search finds a caller's account, it does not
    list the population.
    """
    kind = (
        taxpayers.c.entity_kind != "individual"
        if business
        else (taxpayers.c.entity_kind == "individual")
    )
    if zip_code and not business:
        index = vault.blind_index("surname_zip", norm_surname_zip(surname, zip_code))
        ids = (
            conn.execute(
                select(addresses.c.taxpayer_id)
                .where(addresses.c.surname_zip_index == index, addresses.c.valid_to.is_(None))
                .limit(NAME_SEARCH_LIMIT)
            )
            .scalars()
            .all()
        )
    else:
        index = vault.blind_index("surname", norm_surname(surname))
        ids = (
            conn.execute(
                select(taxpayers.c.id)
                .where(taxpayers.c.surname_index == index, kind)
                .order_by(taxpayers.c.id)
                .limit(NAME_SEARCH_LIMIT)
            )
            .scalars()
            .all()
        )
    hits = []
    for taxpayer_id in sorted(set(ids)):
        row = conn.execute(select(taxpayers).where(taxpayers.c.id == taxpayer_id)).one()
        if (row.entity_kind != "individual") != business:
            continue
        tin = Tin(vault.decrypt_text(conn, "taxpayers.tin", row.tin_enc, row.id), row.tin_kind)
        name = vault.decrypt_text(conn, "taxpayers.name_line1", row.name_line1_enc, row.id)
        addr = conn.execute(
            select(addresses)
            .where(addresses.c.taxpayer_id == taxpayer_id, addresses.c.valid_to.is_(None))
            .limit(1)
        ).first()
        if business and zip_code and addr is not None:
            typed = vault.decrypt_text(conn, "addresses.zip", addr.zip_enc, addr.id)
            if typed[:5] != zip_code[:5]:
                continue
        city = (
            ""
            if addr is None
            else vault.decrypt_text(conn, "addresses.city", addr.city_enc, addr.id)
        )
        hits.append(NameHit(tin.masked, name, city, "" if addr is None else addr.state))
    return hits
