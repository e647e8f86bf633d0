"""Post pending entity changes (TC 013 name, TC 014 address): few rows, per-row Python.

Why per row: each change is ciphertext that must be opened and re-encrypted for its new row
(purposes are ``table.column`` bound to the row id), and there are few per cycle; the module
transactions, which are many, are set-based elsewhere.

The encrypted ``change_enc`` is JSON (purpose ``pending_entity_changes.change``):

* TC 013: ``{"name_line1": str, "name_line2": str | null, "surname": str | null}``; the new
  name control is the row's clear ``name_control``.
* TC 014: ``{"street": str, "city": str, "state": "VA", "zip": "22150"}``; the current
  address row is ended (``valid_to`` = the change's transaction date) and a new one starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from idrs.posting.codes import reason
from idrs.store.crypto import DecryptionError, Vault, norm_street, norm_surname, norm_surname_zip
from idrs.store.tables.posting import unpostables
from idrs.store.tables.taxpayers import addresses, taxpayers
from idrs.store.tables.work import pending_entity_changes

_NAME_CONTROL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-& ")


@dataclass(frozen=True)
class EntityOutcome:
    posted: dict[int, int]  # tc -> count
    unpostable: dict[int, int]  # code -> count
    taxpayers: tuple[int, ...]


def post_entity_changes(
    conn: Connection, vault: Vault, cycle: int, posting_date: date, now: datetime
) -> EntityOutcome:
    pec = pending_entity_changes
    rows = conn.execute(
        select(pec)
        .where(pec.c.status == "PN", pec.c.input_date <= posting_date)
        .order_by(pec.c.transaction_date, pec.c.id)
    ).all()
    posted: dict[int, int] = {}
    refused: dict[int, int] = {}
    touched: list[int] = []
    for row in rows:
        code = _apply(conn, vault, row)
        if code is None:
            posted[row.tc] = posted.get(row.tc, 0) + 1
            status = "PD"
        else:
            refused[code] = refused.get(code, 0) + 1
            conn.execute(
                insert(unpostables).values(
                    source="entity", pending_id=row.id, taxpayer_id=row.taxpayer_id,
                    module_id=None, tc=row.tc, amount_cents=0, dln=row.dln, code=code,
                    reason=reason(code), cycle=cycle, input_date=row.input_date, created_at=now,
                )
            )  # fmt: skip
            status = "UP"
        conn.execute(update(pec).where(pec.c.id == row.id).values(status=status))
        touched.append(row.taxpayer_id)
    return EntityOutcome(posted, refused, tuple(touched))


def _apply(conn: Connection, vault: Vault, row: Any) -> int | None:
    """Apply one change; returns an unpostable code instead when it cannot post."""
    person = conn.execute(
        select(taxpayers.c.id).where(taxpayers.c.id == row.taxpayer_id)
    ).scalar_one_or_none()
    if person is None:
        return 101
    try:
        change = json.loads(
            vault.decrypt(conn, "pending_entity_changes.change", bytes(row.change_enc), row.id)
        )
    except (ValueError, DecryptionError):
        return 103
    if not isinstance(change, dict):
        return 103
    if row.tc == 13:
        return _name(conn, vault, row, change)
    return _address(conn, vault, row, change)


def _name(conn: Connection, vault: Vault, row: Any, change: dict[str, Any]) -> int | None:
    nc = row.name_control
    if not nc or len(nc) > 4 or not set(nc) <= _NAME_CONTROL_CHARS or nc[0] == " ":
        return 102
    line1 = change.get("name_line1")
    if not isinstance(line1, str) or not line1.strip():
        return 103
    tid = row.taxpayer_id
    values: dict[str, Any] = {
        "name_control": nc,
        "name_line1_enc": vault.encrypt(conn, "taxpayers.name_line1", line1, tid),
    }
    line2 = change.get("name_line2")
    values["name_line2_enc"] = (
        vault.encrypt(conn, "taxpayers.name_line2", line2, tid) if line2 else None
    )
    surname = change.get("surname")
    if surname:
        values["surname_index"] = vault.blind_index("surname", norm_surname(surname))
    conn.execute(update(taxpayers).where(taxpayers.c.id == tid).values(**values))
    return None


def _address(conn: Connection, vault: Vault, row: Any, change: dict[str, Any]) -> int | None:
    fields = [change.get(k) for k in ("street", "city", "state", "zip")]
    if not all(isinstance(f, str) and f.strip() for f in fields):
        return 103
    street, city, state, zip_code = (str(f) for f in fields)
    if len(state) != 2:
        return 103
    tid = row.taxpayer_id
    conn.execute(
        update(addresses)
        .where(addresses.c.taxpayer_id == tid, addresses.c.valid_to.is_(None))
        .values(valid_to=row.transaction_date)
    )
    new_id = conn.execute(select(func.coalesce(func.max(addresses.c.id), 0) + 1)).scalar_one()
    surname = change.get("surname")
    enc = vault.encrypt
    conn.execute(
        insert(addresses).values(
            id=new_id, taxpayer_id=tid,
            street_enc=enc(conn, "addresses.street", street, new_id),
            city_enc=enc(conn, "addresses.city", city, new_id),
            zip_enc=enc(conn, "addresses.zip", zip_code, new_id),
            state=state.upper(),
            street_index=vault.blind_index("street", norm_street(street, zip_code)),
            surname_zip_index=None if not surname
            else vault.blind_index("surname_zip", norm_surname_zip(surname, zip_code)),
            valid_from=row.transaction_date, valid_to=None,
        )
    )  # fmt: skip
    return None
