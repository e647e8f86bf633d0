"""A small world for command tests: tests/access/world.py plus a posted return for alice.

Research data added on top (for IMFOL/BMFOL, RTVUE/BRTVU, IRPTR, IADIS, DDBKD): a business
(EIN) with a 941 and an 1120 module, alice's 1040 as filed and her status history, her W-2 and
1099-INT, two dependents (one link ended), an old 2019 return past the return file's reach,
and an installment agreement on carol's 2023 module.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from idrs.commands.run import Terminal
from idrs.settings import Settings
from idrs.store.crypto import Vault
from idrs.store.population import write_batch
from idrs.store.records import (
    AddressRec,
    Batch,
    FiledReturnRec,
    InfoReturnRec,
    LinkRec,
    ModuleRec,
    PostingRec,
    ReturnLineRec,
    StatusRec,
    TaxpayerRec,
)
from idrs.store.tables.modules import tax_modules
from idrs.store.work import add_installment
from tests.access.world import T0, World, build_world

ALICE_MODULE = 2001
# alice's 2024 return: tax 4,000.00 assessed, 1,500.00 withheld, 500.00 paid with the return
ALICE_POSTINGS = [
    (150, 400_000, date(2025, 5, 19), "28211-139-12345-5"),
    (806, 150_000, date(2025, 4, 15), "28211-139-12345-5"),
    (610, 50_000, date(2025, 4, 1), "28270-091-54321-5"),
]

WIDGETS = 300  # a business on the BMF
WIDGETS_EIN = "27-1234567"
KIDS = {205: ("802-22-0205", date(2015, 3, 1), None), 206: ("802-22-0206", date(2005, 7, 1),
        date(2023, 12, 31))}  # fmt: skip
WIDGETS_941, WIDGETS_1120 = 3001, 3002
WIDGETS_POSTINGS = [  # (module, tc, cents, day, dln)
    (WIDGETS_941, 650, 1_000_000, date(2024, 12, 15), "28197350000014"),
    (WIDGETS_941, 150, 1_000_000, date(2025, 2, 3), "28141034000015"),
    (WIDGETS_1120, 150, 500_000, date(2025, 5, 19), "28310139000015"),
]
ALICE_RETURN = {"wages": 5_000_000, "interest": 200_000, "agi": 5_200_000,
                "taxable_income": 3_700_000, "total_tax": 400_000, "withholding": 150_000,
                "balance_due": 250_000}  # fmt: skip
WIDGETS_RETURN = {"gross_receipts": 20_000_000, "taxable_income": 2_380_000,
                  "total_tax": 500_000, "balance_due": 500_000}  # fmt: skip
CAROL_MODULE = 2021


@pytest.fixture
def world(db, keyring) -> World:  # type: ignore[no-untyped-def]
    w = build_world(db.engine, keyring)
    add_alice_return(db.engine, keyring)
    batch = Batch()
    research(batch)
    with db.engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)
        conn.execute(
            update(tax_modules)
            .where(tax_modules.c.id == CAROL_MODULE)
            .values(balance_cents=120_000, status_code=60, status_date=date(2025, 11, 3),
                    installment_agreement=True)
        )  # fmt: skip
        add_installment(
            conn, module_id=CAROL_MODULE, monthly_cents=25_000, payment_day=15,
            first_payment_on=date(2026, 2, 15), direct_debit=1, dln="28277005000016",
            created_by=12, created_at=T0,
        )  # fmt: skip
    return w


def add_alice_return(engine, keyring) -> None:  # type: ignore[no-untyped-def]
    """Alice's posted 2024 return (ALICE_POSTINGS) and the module balance it leaves."""
    batch = Batch()
    for i, (tc, cents, day, dln) in enumerate(ALICE_POSTINGS):
        batch.postings.append(
            PostingRec(
                id=90_000 + i, module_id=ALICE_MODULE, tc=tc, amount_cents=cents,
                dln=dln.replace("-", ""), cycle=202520, transaction_date=day, posted_on=day,
                created_at=T0,
            )
        )  # fmt: skip
    with engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)
        conn.execute(
            update(tax_modules)
            .where(tax_modules.c.id == ALICE_MODULE)
            .values(balance_cents=200_000, status_code=21, assessed_on=date(2025, 5, 19))
        )


def research(batch: Batch) -> None:
    """The research rows described in the module docstring."""
    batch.taxpayers.append(
        TaxpayerRec(
            id=WIDGETS, entity_kind="business", tin_kind="EIN", tin=WIDGETS_EIN.replace("-", ""),
            name_control="SAMP", name_line1="SAMPLE WIDGETS LLC", name_line2=None, surname="SAMPLE",
            birth_date=None, death_date=None, filing_requirements="941-01 1120-03",
            established_on=date(2001, 2, 1), created_at=T0,
        )
    )  # fmt: skip
    batch.addresses.append(
        AddressRec(id=3000, taxpayer_id=WIDGETS, street="100 Example St", city="Springfield",
                   state="VA", zip_code="22150", surname=None, valid_from=date(2001, 2, 1))
    )  # fmt: skip
    for kid, (tin, since, until) in KIDS.items():
        batch.taxpayers.append(
            TaxpayerRec(
                id=kid, entity_kind="individual", tin_kind="SSN", tin=tin.replace("-", ""),
                name_control="YARR", name_line1=f"Kit Yarrow {kid}", name_line2=None,
                surname="Yarrow", birth_date=since, death_date=None, filing_requirements="",
                established_on=since, created_at=T0,
            )
        )  # fmt: skip
        batch.links.append(LinkRec(kid, 200, kid, "dependent", since, until))
    for mid, mft, status, balance in ((WIDGETS_941, 1, 12, 0), (WIDGETS_1120, 2, 21, 500_000)):
        batch.modules.append(
            ModuleRec(
                id=mid, taxpayer_id=WIDGETS, secondary_taxpayer_id=None, mft=mft,
                tax_period=202412, filing_status=None, status_code=status,
                status_date=date(2025, 5, 19), balance_cents=balance,
                return_due_date=date(2025, 1, 31) if mft == 1 else date(2025, 4, 15),
                return_filed_date=date(2025, 1, 30) if mft == 1 else date(2025, 4, 10),
                assessed_on=None, ased=None, csed=None, rsed=None, installment_agreement=False,
                created_at=T0,
            )
        )  # fmt: skip
    for i, (mid, tc, cents, day, dln) in enumerate(WIDGETS_POSTINGS):
        batch.postings.append(
            PostingRec(id=91_000 + i, module_id=mid, tc=tc, amount_cents=cents, dln=dln,
                       cycle=int(f"{day.year}{day.isocalendar().week:02d}05"),
                       transaction_date=day, posted_on=day, created_at=T0)
        )  # fmt: skip
    batch.status_history.extend([
        StatusRec(1, ALICE_MODULE, 10, date(2025, 5, 19), 20252005),
        StatusRec(2, ALICE_MODULE, 21, date(2025, 6, 23), 20252505),
    ])  # fmt: skip
    returns = (
        (ALICE_MODULE, "28211139123455", "1040", date(2025, 4, 1), 1, ALICE_RETURN),
        (WIDGETS_1120, "28310139000015", "1120", date(2025, 4, 10), None, WIDGETS_RETURN),
        (1001, "28211091000010", "1040", date(2020, 4, 1), 2, {"total_tax": 100_000}),
    )
    for mid, dln, form, received, status, lines in returns:
        batch.filed_returns.append(FiledReturnRec(mid, mid, dln, form, received, status))
        batch.return_lines.extend(ReturnLineRec(mid, k, v) for k, v in lines.items())
    batch.information_returns.extend([
        InfoReturnRec(1, 200, WIDGETS, "W-2", 2024, 5_000_000, 150_000, date(2025, 1, 31)),
        InfoReturnRec(2, 200, None, "1099-INT", 2024, 200_000, 0, date(2025, 2, 15)),
        InfoReturnRec(3, 200, WIDGETS, "W-2", 2023, 4_800_000, 140_000, date(2024, 1, 31)),
    ])  # fmt: skip


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
