"""Bulk writer: logical records in, encrypted rows out, one Core ``executemany`` per table.

Why Core and not the ORM: a synthetic population is millions of rows, and the ORM's unit of
work costs about five times as much per row for nothing we need here (no identity map, no
relationships to load). Each table gets one ``insert(table)`` with a list of parameter dicts,
which SQLite runs as ``executemany`` and PostgreSQL as batched multi-row ``VALUES``.

Encryption happens here, not in the generator, so the rule "every direct identifier is
ciphertext bound to its column and row" lives in one place: the purpose of a ciphertext is
``"<table>.<column>"`` (without ``_enc``) and its row is the row's ``id``
(:func:`purpose`). Blind indexes use the normalisers of :mod:`idrs.store.crypto`.

:func:`dump_population` reads everything back decrypted, as comparable tuples: the check that
two runs wrote the same *logical* rows although every nonce differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection

from idrs.store.crypto import Vault, norm_street, norm_surname, norm_surname_zip, norm_tin
from idrs.store.records import (
    AddressRec,
    AuthorizationRec,
    BankAccountRec,
    Batch,
    InfoReturnRec,
    LinkRec,
    ModuleRec,
    PostingRec,
    StaffRec,
    TaxpayerRec,
)
from idrs.store.tables.modules import module_status_history, posted_transactions, tax_modules
from idrs.store.tables.returns import filed_returns, information_returns, return_lines
from idrs.store.tables.staff import staff, staff_roles, units
from idrs.store.tables.taxpayers import (
    addresses,
    authorizations,
    bank_accounts,
    taxpayer_links,
    taxpayers,
)

# Tables the population fills, in foreign-key order (parents first).
POPULATION_TABLES: tuple[Table, ...] = (
    taxpayers,
    addresses,
    taxpayer_links,
    authorizations,
    bank_accounts,
    information_returns,
    tax_modules,
    module_status_history,
    posted_transactions,
    filed_returns,
    return_lines,
    units,
    staff,
    staff_roles,
)


def purpose(table: str, column: str) -> str:
    """The encryption purpose (and associated-data label) of ``table.column_enc``."""
    return f"{table}.{column.removesuffix('_enc')}"


def write_batch(conn: Connection, vault: Vault, batch: Batch) -> int:
    """Encrypt and insert every record of ``batch`` in ``conn``'s transaction; returns rows."""
    written = 0
    written += _insert(conn, taxpayers, [_taxpayer(conn, vault, r) for r in batch.taxpayers])
    written += _insert(conn, addresses, [_address(conn, vault, r) for r in batch.addresses])
    written += _insert(conn, taxpayer_links, [_link(r) for r in batch.links])
    written += _insert(
        conn, authorizations, [_authorization(conn, vault, r) for r in batch.authorizations]
    )
    written += _insert(conn, bank_accounts, [_bank(conn, vault, r) for r in batch.bank_accounts])
    written += _insert(conn, information_returns, [_info(r) for r in batch.information_returns])
    written += _insert(conn, tax_modules, [_module(r) for r in batch.modules])
    written += _insert(
        conn,
        module_status_history,
        [
            {
                "id": r.id,
                "module_id": r.module_id,
                "status_code": r.status_code,
                "status_date": r.status_date,
                "cycle": r.cycle,
            }
            for r in batch.status_history
        ],
    )
    written += _insert(conn, posted_transactions, [_posting(r) for r in batch.postings])
    written += _insert(
        conn,
        filed_returns,
        [
            {
                "id": r.id,
                "module_id": r.module_id,
                "dln": r.dln,
                "form": r.form,
                "received_on": r.received_on,
                "filing_status": r.filing_status,
            }
            for r in batch.filed_returns
        ],
    )
    written += _insert(
        conn,
        return_lines,
        [
            {"return_id": r.return_id, "line": r.line, "amount_cents": r.amount_cents}
            for r in batch.return_lines
        ],
    )
    written += _insert(
        conn, units, [{"id": u.id, "code": u.code, "name": u.name} for u in batch.units]
    )
    written += _write_staff(conn, batch.staff)
    return written


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    if rows:
        conn.execute(insert(table), rows)
    return len(rows)


def _taxpayer(conn: Connection, vault: Vault, r: TaxpayerRec) -> dict[str, Any]:
    enc = vault.encrypt
    return {
        "id": r.id,
        "entity_kind": r.entity_kind,
        "tin_kind": r.tin_kind,
        "tin_enc": enc(conn, "taxpayers.tin", r.tin, r.id),
        "tin_index": vault.blind_index("tin", norm_tin(r.tin)),
        "name_control": r.name_control,
        "name_line1_enc": enc(conn, "taxpayers.name_line1", r.name_line1, r.id),
        "name_line2_enc": None
        if r.name_line2 is None
        else enc(conn, "taxpayers.name_line2", r.name_line2, r.id),
        "surname_index": None
        if r.surname is None
        else vault.blind_index("surname", norm_surname(r.surname)),
        "birth_date_enc": None
        if r.birth_date is None
        else vault.encrypt_date(conn, "taxpayers.birth_date", r.birth_date, r.id),
        "death_date_enc": None
        if r.death_date is None
        else vault.encrypt_date(conn, "taxpayers.death_date", r.death_date, r.id),
        "filing_requirements": r.filing_requirements,
        "fiscal_year_month": r.fiscal_year_month,
        "established_on": r.established_on,
        "sensitivity": r.sensitivity,
        "employee_flag": r.employee_flag,
        "created_at": r.created_at,
    }


def _address(conn: Connection, vault: Vault, r: AddressRec) -> dict[str, Any]:
    enc = vault.encrypt
    return {
        "id": r.id,
        "taxpayer_id": r.taxpayer_id,
        "street_enc": enc(conn, "addresses.street", r.street, r.id),
        "city_enc": enc(conn, "addresses.city", r.city, r.id),
        "zip_enc": enc(conn, "addresses.zip", r.zip_code, r.id),
        "state": r.state,
        "street_index": vault.blind_index("street", norm_street(r.street, r.zip_code)),
        "surname_zip_index": None
        if r.surname is None
        else vault.blind_index("surname_zip", norm_surname_zip(r.surname, r.zip_code)),
        "valid_from": r.valid_from,
        "valid_to": r.valid_to,
    }


def _link(r: LinkRec) -> dict[str, Any]:
    return {
        "id": r.id,
        "taxpayer_id": r.taxpayer_id,
        "related_id": r.related_id,
        "kind": r.kind,
        "valid_from": r.valid_from,
        "valid_to": r.valid_to,
    }


def _authorization(conn: Connection, vault: Vault, r: AuthorizationRec) -> dict[str, Any]:
    return {
        "id": r.id,
        "taxpayer_id": r.taxpayer_id,
        "form": r.form,
        "caf_number": r.caf_number,
        "representative_name_enc": vault.encrypt(
            conn, "authorizations.representative_name", r.representative_name, r.id
        ),
        "mft": r.mft,
        "period_from": r.period_from,
        "period_to": r.period_to,
        "received_on": r.received_on,
        "revoked_on": r.revoked_on,
    }


def _bank(conn: Connection, vault: Vault, r: BankAccountRec) -> dict[str, Any]:
    return {
        "id": r.id,
        "taxpayer_id": r.taxpayer_id,
        "routing_enc": vault.encrypt(conn, "bank_accounts.routing", r.routing, r.id),
        "account_enc": vault.encrypt(conn, "bank_accounts.account", r.account, r.id),
        "account_type": r.account_type,
        "valid_from": r.valid_from,
        "valid_to": r.valid_to,
    }


def _info(r: InfoReturnRec) -> dict[str, Any]:
    return {
        "id": r.id,
        "payee_id": r.payee_id,
        "payer_id": r.payer_id,
        "form": r.form,
        "tax_year": r.tax_year,
        "amount_cents": r.amount_cents,
        "withheld_cents": r.withheld_cents,
        "received_on": r.received_on,
        "detail": r.detail,
    }


def _module(r: ModuleRec) -> dict[str, Any]:
    return {
        "id": r.id,
        "taxpayer_id": r.taxpayer_id,
        "secondary_taxpayer_id": r.secondary_taxpayer_id,
        "mft": r.mft,
        "tax_period": r.tax_period,
        "plan_number": 0,
        "filing_status": r.filing_status,
        "status_code": r.status_code,
        "status_date": r.status_date,
        "balance_cents": r.balance_cents,
        "return_due_date": r.return_due_date,
        "return_filed_date": r.return_filed_date,
        "assessed_on": r.assessed_on,
        "ased": r.ased,
        "csed": r.csed,
        "rsed": r.rsed,
        "installment_agreement": r.installment_agreement,
        "created_at": r.created_at,
    }


def _posting(r: PostingRec) -> dict[str, Any]:
    return {
        "id": r.id,
        "module_id": r.module_id,
        "tc": r.tc,
        "amount_cents": r.amount_cents,
        "dln": r.dln,
        "cycle": r.cycle,
        "transaction_date": r.transaction_date,
        "posted_on": r.posted_on,
        "action_code": r.action_code,
        "reason_code": r.reason_code,
        "reverses_id": None,
        "pending_id": None,
        "created_at": r.created_at,
    }


def _write_staff(conn: Connection, people: Sequence[StaffRec]) -> int:
    # managers before the people they manage (manager_id is a foreign key to staff)
    by_id = {p.id: p for p in people}
    ordered = sorted(people, key=lambda s: _depth(s, by_id))
    rows = [
        {
            "id": s.id,
            "taxpayer_id": s.taxpayer_id,
            "username": s.username,
            "employee_number": s.employee_number,
            "employment_type": s.employment_type,
            "unit_id": s.unit_id,
            "manager_id": s.manager_id,
            "clearance": s.clearance,
            "status": s.status,
            "created_at": s.created_at,
            "separated_at": None,
        }
        for s in ordered
    ]
    roles = [{"staff_id": s.id, "role": role} for s in ordered for role in s.roles]
    return _insert(conn, staff, rows) + _insert(conn, staff_roles, roles)


def _depth(person: StaffRec, by_id: dict[int, StaffRec]) -> int:
    depth, seen = 0, {person.id}
    while person.manager_id is not None and person.manager_id in by_id:
        person = by_id[person.manager_id]
        if person.id in seen:
            raise ValueError(f"staff manager chain loops at {person.username}")
        seen.add(person.id)
        depth += 1
    return depth


# -- reading back --------------------------------------------------------------------------


def dump_population(conn: Connection, vault: Vault) -> dict[str, list[tuple[Any, ...]]]:
    """Every population row, decrypted, ordered by primary key, as plain tuples per table.

    Two databases generated from the same seed compare equal under this view even though their
    ciphertexts (random nonces) and data keys differ. Meant for tests and the benchmark, on
    small populations: it holds the whole result in memory.
    """
    return {table.name: list(_decrypted_rows(conn, vault, table)) for table in POPULATION_TABLES}


def _decrypted_rows(conn: Connection, vault: Vault, table: Table) -> Iterable[tuple[Any, ...]]:
    cols = list(table.c)
    enc = [i for i, c in enumerate(cols) if c.name.endswith("_enc")]
    order = list(table.primary_key.columns)
    for row in conn.execute(select(*cols).order_by(*order)):
        values = list(row)
        for i in enc:
            blob = values[i]
            if blob is not None:
                values[i] = vault.decrypt(
                    conn, purpose(table.name, cols[i].name), bytes(blob), row.id
                ).decode()
        yield tuple(values)
