"""Writes of the command codes: new DLNs, pending transactions, entity changes, notes, holds.

Why here: taxpayer tables are written only in ``idrs.store``, and only inside the gate's
transaction (the caller's ``conn``), so a write and its audit entry commit or fail together.
Nothing here posts to an account: pending rows wait for a posting cycle.

DLNs: one counter row per numbering day, document code and tax class hands out block and
serial (100,000 numbers a day per document type). The counter is advanced with an upsert, so
two writers never get the same number. Pending rows take the next id after the largest, as
the ledger does (two concurrent writers on PostgreSQL: the second fails on the key and rolls
back whole). The file location code of IDRS input is a setting-free constant
here (``IDRS_FLC``) [reconstructed: IDRS input carries the campus of the employee's site].
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from idrs.access.tables import cases
from idrs.domain.dln import Dln
from idrs.errors import InvalidInput
from idrs.store.crypto import Vault
from idrs.store.tables.modules import pending_transactions
from idrs.store.tables.work import (
    dln_counters,
    history_items,
    installment_agreements,
    notice_holds,
    pending_entity_changes,
)

IDRS_FLC = 28
DAILY_NUMBERS = 100_000


def allocate_dln(conn: Connection, day: date, doc_code: int, tax_class: int) -> str:
    """The next unused DLN for IDRS input of ``doc_code`` numbered on ``day``."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(dln_counters).values(
        day=day, doc_code=doc_code, tax_class=tax_class, next_value=1
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=["day", "doc_code", "tax_class"],
        set_={"next_value": dln_counters.c.next_value + 1},
    ).returning(dln_counters.c.next_value)
    value = int(conn.execute(upsert).scalar_one()) - 1
    if value >= DAILY_NUMBERS:
        raise InvalidInput("dln", "no document numbers left today for this document code")
    block, serial = divmod(value, 100)
    return Dln.build(IDRS_FLC, tax_class, doc_code, day, block, serial).digits


def add_pending(
    conn: Connection,
    *,
    module_id: int,
    tc: int,
    amount_cents: int,
    dln: str,
    transaction_date: date,
    input_date: date,
    created_by: int,
    created_at: datetime,
    source: str = "IDRS",
    action_code: int | None = None,
    reason_code: int | None = None,
    detail: Mapping[str, str] | None = None,
) -> int:
    """One pending transaction (status PN) on a module; returns its id."""
    row_id = _next_id(conn, pending_transactions)
    conn.execute(
        pending_transactions.insert().values(
            id=row_id,
            module_id=module_id,
            tc=tc,
            amount_cents=amount_cents,
            dln=dln,
            status="PN",
            transaction_date=transaction_date,
            input_date=input_date,
            action_code=action_code,
            reason_code=reason_code,
            source=source,
            created_by=created_by,
            detail=json.dumps(dict(detail or {}), sort_keys=True),
            created_at=created_at,
        )
    )
    return row_id


def hold_for_approval(conn: Connection, pending_ids: Iterable[int], request_id: int) -> None:
    """Maker-checker: these rows wait (AP) until the approval request is approved."""
    ids = list(pending_ids)
    if ids:
        conn.execute(
            update(pending_transactions)
            .where(pending_transactions.c.id.in_(ids))
            .values(status="AP", approval_request_id=request_id)
        )


def release_approved(conn: Connection, request_id: int, approver_id: int) -> int:
    """The approval request was approved: its rows become postable (PN). Returns the count."""
    t = pending_transactions
    done = conn.execute(
        update(t)
        .where(t.c.approval_request_id == request_id, t.c.status == "AP")
        .values(status="PN", approved_by=approver_id)
    )
    return int(done.rowcount)


def nullify_rejected(conn: Connection, request_id: int) -> int:
    """The approval request was rejected: its rows are nullified (NU) and never post."""
    t = pending_transactions
    done = conn.execute(
        update(t)
        .where(t.c.approval_request_id == request_id, t.c.status == "AP")
        .values(status="NU")
    )
    return int(done.rowcount)


def add_entity_change(
    conn: Connection,
    vault: Vault,
    *,
    taxpayer_id: int,
    tc: int,
    dln: str,
    change: Mapping[str, str | None],
    name_control: str | None,
    day: date,
    created_by: int,
    created_at: datetime,
) -> int:
    t = pending_entity_changes
    # the ciphertext is bound to the row id, which the database assigns: insert, then seal
    inserted = conn.execute(
        t.insert()
        .values(
            taxpayer_id=taxpayer_id, tc=tc, dln=dln, status="PN", transaction_date=day,
            input_date=day, name_control=name_control, change_enc=b"", created_by=created_by,
            created_at=created_at,
        )
        .returning(t.c.id)
    )  # fmt: skip
    row_id = int(inserted.scalar_one())
    blob = vault.encrypt(
        conn, "pending_entity_changes.change", json.dumps(dict(change), sort_keys=True), row_id
    )
    conn.execute(update(t).where(t.c.id == row_id).values(change_enc=blob))
    return row_id


def add_history_item(
    conn: Connection,
    vault: Vault,
    *,
    taxpayer_id: int,
    module_id: int | None,
    staff_id: int,
    day: date,
    text: str,
    created_at: datetime,
) -> int:
    t = history_items
    row_id = _next_id(conn, t)
    conn.execute(
        t.insert().values(
            id=row_id,
            taxpayer_id=taxpayer_id,
            module_id=module_id,
            staff_id=staff_id,
            entered_on=day,
            text_enc=vault.encrypt(conn, "history_items.text", text, row_id),
            created_at=created_at,
        )
    )
    return row_id


def add_notice_hold(conn: Connection, **values: object) -> int:
    return int(
        conn.execute(
            notice_holds.insert().values(**values).returning(notice_holds.c.id)
        ).scalar_one()
    )


def add_installment(conn: Connection, **values: object) -> int:
    t = installment_agreements
    return int(conn.execute(t.insert().values(**values).returning(t.c.id)).scalar_one())


def update_control(
    conn: Connection, case_id: int, *, status: str | None, activity: str | None
) -> None:
    """Change an open control base's status (A, B, M, S) or activity. Closing one (C) is
    ``Governance.close_case_in``, which also ends its grants."""
    if status == "C":
        raise ValueError("close a control base through Governance.close_case_in")
    values: dict[str, object] = {}
    if status:
        values["status"] = status
    if activity is not None:
        values["activity"] = activity
    if values:
        conn.execute(update(cases).where(cases.c.id == case_id).values(**values))


def set_control_fields(
    conn: Connection,
    case_id: int,
    *,
    activity: str | None,
    received_on: date | None,
    control_dln: str | None,
) -> None:
    conn.execute(
        update(cases)
        .where(cases.c.id == case_id)
        .values(activity=activity, received_on=received_on, control_dln=control_dln)
    )


def _next_id(conn: Connection, table: Table) -> int:
    current = conn.execute(select(func.max(table.c.id))).scalar_one()
    return int(current or 0) + 1
