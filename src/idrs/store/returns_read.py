"""Read repository for the return research codes: returns as filed, information returns, dependents.

Why here: taxpayer tables are queried only in ``idrs.store`` (DESIGN.md §2, the one door); the
command codes (RTVUE, BRTVU, IRPTR, DDBKD) run these inside the gate's transaction and get
frozen values back. Every query is an index look-up on one module or one taxpayer, never a
scan. Names are decrypted here; a TIN leaves only masked, as in :mod:`idrs.store.taxpayers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from idrs.domain.tin import Tin
from idrs.store.crypto import Vault
from idrs.store.tables.returns import filed_returns, information_returns, return_lines
from idrs.store.tables.taxpayers import taxpayer_links, taxpayers

DEPENDENT = "dependent"


@dataclass(frozen=True)
class FiledReturn:
    """A return as transcribed or e-filed, with its line items (never adjusted)."""

    id: int
    module_id: int
    dln: str
    form: str
    received_on: date
    filing_status: int | None
    lines: tuple[tuple[str, int], ...]  # (line name, cents), in line-name order


@dataclass(frozen=True)
class Party:
    """Another taxpayer named on a document: masked TIN, name control, first name line."""

    tin_masked: str
    name_control: str
    name: str


@dataclass(frozen=True)
class InfoReturn:
    id: int
    form: str
    tax_year: int
    amount_cents: int
    withheld_cents: int
    received_on: date
    payer: Party | None  # None when the payer is not on file


@dataclass(frozen=True)
class Dependent:
    person: Party
    valid_from: date
    valid_to: date | None


def filed_return_of(conn: Connection, module_id: int) -> FiledReturn | None:
    """The original return of a module (the first received); None when none is on file.

    The return file keeps the return as filed: a later amended return does not replace it
    (IRM 2.3.52), so the earliest received one is the one shown.
    """
    row = conn.execute(
        select(filed_returns)
        .where(filed_returns.c.module_id == module_id)
        .order_by(filed_returns.c.received_on, filed_returns.c.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    lines = conn.execute(
        select(return_lines.c.line, return_lines.c.amount_cents)
        .where(return_lines.c.return_id == row.id)
        .order_by(return_lines.c.line)
    ).all()
    return FiledReturn(
        id=row.id,
        module_id=row.module_id,
        dln=row.dln,
        form=row.form,
        received_on=row.received_on,
        filing_status=row.filing_status,
        lines=tuple((r.line, r.amount_cents) for r in lines),
    )


def information_returns_of(
    conn: Connection, vault: Vault, payee_id: int, tax_year: int
) -> list[InfoReturn]:
    """The payee's information returns for one tax year, oldest received first."""
    t = information_returns
    rows = conn.execute(
        select(t)
        .where(t.c.payee_id == payee_id, t.c.tax_year == tax_year)
        .order_by(t.c.received_on, t.c.id)
    ).all()
    payers: dict[int, Party | None] = {}
    out = []
    for r in rows:
        payer = None
        if r.payer_id is not None:
            if r.payer_id not in payers:
                payers[r.payer_id] = party(conn, vault, r.payer_id)
            payer = payers[r.payer_id]
        out.append(
            InfoReturn(
                r.id, r.form, r.tax_year, r.amount_cents, r.withheld_cents, r.received_on, payer
            )
        )
    return out


def dependents_of(conn: Connection, vault: Vault, taxpayer_id: int) -> list[Dependent]:
    """The taxpayer's dependent links (ended ones too, with their end date), oldest first."""
    t = taxpayer_links
    rows = conn.execute(
        select(t)
        .where(t.c.taxpayer_id == taxpayer_id, t.c.kind == DEPENDENT)
        .order_by(t.c.valid_from, t.c.id)
    ).all()
    out = []
    for r in rows:
        person = party(conn, vault, r.related_id)
        if person is not None:
            out.append(Dependent(person, r.valid_from, r.valid_to))
    return out


def party(conn: Connection, vault: Vault, taxpayer_id: int) -> Party | None:
    """Masked TIN, name control and name of one taxpayer, by primary key."""
    row = conn.execute(
        select(
            taxpayers.c.id,
            taxpayers.c.tin_enc,
            taxpayers.c.tin_kind,
            taxpayers.c.name_control,
            taxpayers.c.name_line1_enc,
        ).where(taxpayers.c.id == taxpayer_id)
    ).first()
    if row is None:
        return None
    text = vault.decrypt_text
    tin = Tin(text(conn, "taxpayers.tin", row.tin_enc, row.id), row.tin_kind)
    name = text(conn, "taxpayers.name_line1", row.name_line1_enc, row.id)
    return Party(tin.masked, row.name_control, name)
