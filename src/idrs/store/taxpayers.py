"""Read repository for one taxpayer: entity, modules, postings (decrypted, TIN masked).

Why here: taxpayer tables are queried only in ``idrs.store``. Commands (through the gate) and
tests get plain frozen values from these functions; every read is an index look-up on one
taxpayer or one module, never a scan. The TIN leaves only masked (``XXX-XX-1234``); a
command that needs it whole must decrypt it deliberately.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from idrs.domain.tin import Tin
from idrs.errors import IdrsError
from idrs.store.crypto import Vault, norm_tin
from idrs.store.tables.modules import posted_transactions, tax_modules
from idrs.store.tables.taxpayers import addresses, taxpayer_links, taxpayers


class TaxpayerNotFound(IdrsError):
    """No taxpayer with that surrogate id."""


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    zip_code: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class Entity:
    id: int
    entity_kind: str
    tin_kind: str
    tin_masked: str
    name_control: str
    name_line1: str
    name_line2: str | None
    birth_date: date | None
    death_date: date | None
    address: Address | None  # the current one (no end date), else the latest
    filing_requirements: str
    fiscal_year_month: int
    established_on: date
    sensitivity: str
    employee_flag: bool


@dataclass(frozen=True)
class Link:
    related_id: int
    kind: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class Module:
    id: int
    taxpayer_id: int
    secondary_taxpayer_id: int | None
    mft: int
    tax_period: int
    filing_status: int | None
    status_code: int
    status_date: date
    balance_cents: int
    return_due_date: date
    return_filed_date: date | None
    assessed_on: date | None
    ased: date | None
    csed: date | None
    rsed: date | None
    installment_agreement: bool


@dataclass(frozen=True)
class PostedTransaction:
    id: int
    tc: int
    amount_cents: int
    dln: str
    cycle: int
    transaction_date: date
    posted_on: date
    action_code: int | None
    reason_code: int | None


def find_by_tin(conn: Connection, vault: Vault, tin: str) -> Entity | None:
    """The taxpayer with this TIN (any punctuation), by blind index; None if not on file."""
    index = vault.blind_index("tin", norm_tin(tin))
    found = conn.execute(
        select(taxpayers.c.id).where(taxpayers.c.tin_index == index)
    ).scalar_one_or_none()
    return None if found is None else get_entity(conn, vault, found)


def get_entity(conn: Connection, vault: Vault, taxpayer_id: int) -> Entity:
    row = conn.execute(select(taxpayers).where(taxpayers.c.id == taxpayer_id)).first()
    if row is None:
        raise TaxpayerNotFound(f"taxpayer {taxpayer_id} is not on file")
    text = vault.decrypt_text
    tin = Tin(text(conn, "taxpayers.tin", row.tin_enc, row.id), row.tin_kind)
    return Entity(
        id=row.id,
        entity_kind=row.entity_kind,
        tin_kind=row.tin_kind,
        tin_masked=tin.masked,
        name_control=row.name_control,
        name_line1=text(conn, "taxpayers.name_line1", row.name_line1_enc, row.id),
        name_line2=None
        if row.name_line2_enc is None
        else text(conn, "taxpayers.name_line2", row.name_line2_enc, row.id),
        birth_date=vault.decrypt_date(conn, "taxpayers.birth_date", row.birth_date_enc, row.id),
        death_date=vault.decrypt_date(conn, "taxpayers.death_date", row.death_date_enc, row.id),
        address=current_address(conn, vault, taxpayer_id),
        filing_requirements=row.filing_requirements,
        fiscal_year_month=row.fiscal_year_month,
        established_on=row.established_on,
        sensitivity=row.sensitivity,
        employee_flag=bool(row.employee_flag),
    )


def current_address(conn: Connection, vault: Vault, taxpayer_id: int) -> Address | None:
    rows = conn.execute(select(addresses).where(addresses.c.taxpayer_id == taxpayer_id)).all()
    if not rows:
        return None
    row = max(rows, key=lambda r: (r.valid_to is None, r.valid_to or date.min, r.valid_from))
    text = vault.decrypt_text
    return Address(
        street=text(conn, "addresses.street", row.street_enc, row.id),
        city=text(conn, "addresses.city", row.city_enc, row.id),
        state=row.state,
        zip_code=text(conn, "addresses.zip", row.zip_enc, row.id),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def links_of(conn: Connection, taxpayer_id: int) -> list[Link]:
    rows = conn.execute(
        select(taxpayer_links)
        .where(taxpayer_links.c.taxpayer_id == taxpayer_id)
        .order_by(taxpayer_links.c.id)
    ).all()
    return [Link(r.related_id, r.kind, r.valid_from, r.valid_to) for r in rows]


def modules_of(conn: Connection, taxpayer_id: int) -> list[Module]:
    """The taxpayer's modules, including joint ones where they are the secondary spouse."""
    # two index probes, not one OR (which SQLite may plan as a scan once it has statistics)
    own = conn.execute(select(tax_modules).where(tax_modules.c.taxpayer_id == taxpayer_id)).all()
    joint = conn.execute(
        select(tax_modules).where(tax_modules.c.secondary_taxpayer_id == taxpayer_id)
    ).all()
    rows = sorted(
        {r.id: r for r in [*own, *joint]}.values(), key=lambda r: (r.mft, r.tax_period, r.id)
    )
    return [_module(r) for r in rows]


def get_module(conn: Connection, module_id: int) -> Module | None:
    """One module by id (one primary-key probe)."""
    row = conn.execute(select(tax_modules).where(tax_modules.c.id == module_id)).first()
    return None if row is None else _module(row)


def _module(r: Any) -> Module:
    return Module(
        id=r.id,
        taxpayer_id=r.taxpayer_id,
        secondary_taxpayer_id=r.secondary_taxpayer_id,
        mft=r.mft,
        tax_period=r.tax_period,
        filing_status=r.filing_status,
        status_code=r.status_code,
        status_date=r.status_date,
        balance_cents=r.balance_cents,
        return_due_date=r.return_due_date,
        return_filed_date=r.return_filed_date,
        assessed_on=r.assessed_on,
        ased=r.ased,
        csed=r.csed,
        rsed=r.rsed,
        installment_agreement=bool(r.installment_agreement),
    )


def postings_of(conn: Connection, module_id: int) -> list[PostedTransaction]:
    rows = conn.execute(
        select(posted_transactions)
        .where(posted_transactions.c.module_id == module_id)
        .order_by(posted_transactions.c.posted_on, posted_transactions.c.id)
    ).all()
    return [
        PostedTransaction(
            id=r.id,
            tc=r.tc,
            amount_cents=r.amount_cents,
            dln=r.dln,
            cycle=r.cycle,
            transaction_date=r.transaction_date,
            posted_on=r.posted_on,
            action_code=r.action_code,
            reason_code=r.reason_code,
        )
        for r in rows
    ]
