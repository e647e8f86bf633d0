"""A small world for command tests: tests/access/world.py plus a posted return for alice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from idrs.commands.run import Terminal
from idrs.settings import Settings
from idrs.store.crypto import Vault
from idrs.store.population import write_batch
from idrs.store.records import Batch, PostingRec
from idrs.store.tables.modules import tax_modules
from tests.access.world import T0, World, build_world

ALICE_MODULE = 2001
# alice's 2024 return: tax 4,000.00 assessed, 1,500.00 withheld, 500.00 paid with the return
ALICE_POSTINGS = [
    (150, 400_000, date(2025, 5, 19), "28211-139-12345-5"),
    (806, 150_000, date(2025, 4, 15), "28211-139-12345-5"),
    (610, 50_000, date(2025, 4, 1), "28270-091-54321-5"),
]


@pytest.fixture
def world(db, keyring) -> World:  # type: ignore[no-untyped-def]
    w = build_world(db.engine, keyring)
    batch = Batch()
    for i, (tc, cents, day, dln) in enumerate(ALICE_POSTINGS):
        batch.postings.append(
            PostingRec(
                id=90_000 + i, module_id=ALICE_MODULE, tc=tc, amount_cents=cents,
                dln=dln.replace("-", ""), cycle=202520, transaction_date=day, posted_on=day,
                created_at=T0,
            )
        )  # fmt: skip
    with db.engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)
        conn.execute(
            update(tax_modules)
            .where(tax_modules.c.id == ALICE_MODULE)
            .values(balance_cents=200_000, status_code=21, assessed_on=date(2025, 5, 19))
        )
    return w


def terminal(w: World, name: str) -> Terminal:
    return Terminal(w.gate, w.session(name), Settings())


def last_leaf(w: World) -> bytes:
    """The leaf bytes of the newest audit entry."""
    from sqlalchemy import select

    from idrs.audit.tables import audit_entries

    with w.gate.engine.connect() as conn:
        row = conn.execute(
            select(audit_entries.c.leaf).order_by(audit_entries.c.idx.desc()).limit(1)
        ).one()
    return bytes(row.leaf)


def pending_rows(w: World, module_id: int = ALICE_MODULE) -> list:  # type: ignore[type-arg]
    from sqlalchemy import select

    from idrs.store.tables.modules import pending_transactions as t

    with w.gate.engine.connect() as conn:
        return list(conn.execute(select(t).where(t.c.module_id == module_id).order_by(t.c.id)))
