"""Synthetic world for ``bench/access.py``: taxpayers, modules, postings, staff, grants.

Synthetic values only: SSNs in areas 773-899 (never issued before 2011), made-up names.
Everything is written through the store's own writer (``write_batch``) except grants, which go
in by SQLAlchemy Core ``insert(grants)`` executemany in chunks of 50k.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert, select

from idrs.access.catalogue import catalogue
from idrs.access.tables import acknowledgements, command_profiles, grants, unit_max_profiles
from idrs.gate import Output, Resolved
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.population import write_batch
from idrs.store.records import (
    AddressRec,
    Batch,
    ModuleRec,
    PostingRec,
    StaffRec,
    TaxpayerRec,
    UnitRec,
)
from idrs.store.tables.modules import posted_transactions, tax_modules
from idrs.store.tables.taxpayers import taxpayers

NOW = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in New York
PERIOD = 202412
POSTINGS = 10  # per module: a TXMOD-sized read
CHUNK = 50_000
SURNAMES = ("Quill", "Rowan", "Sorrel", "Tansy", "Umber", "Vetch", "Wold", "Yarrow", "Zinnia")
Tick = Callable[[int], None]


def ssn(i: int) -> str:
    """The i-th synthetic SSN (9 digits) in areas 773-899; never group 00 nor serial 0000."""
    area, rest = divmod(i, 99 * 9999)
    group, serial = divmod(rest, 9999)
    return f"{773 + area:03d}{group + 1:02d}{serial + 1:04d}"


def write_population(
    engine: Engine, keyring: Keyring, n_taxpayers: int, n_staff: int, tick: Tick
) -> None:
    """Taxpayers 1..n (one address, one MFT 30 module with POSTINGS postings each), one unit,
    staff 1..n_staff (revenue agents, full profiles, confidentiality acknowledged)."""
    vault, rng = Vault(keyring), random.Random(7)
    step = 5_000
    for lo in range(1, n_taxpayers + 1, step):
        batch = Batch()
        for tid in range(lo, min(lo + step, n_taxpayers + 1)):
            surname = rng.choice(SURNAMES)
            batch.taxpayers.append(
                TaxpayerRec(
                    id=tid, entity_kind="individual", tin_kind="SSN", tin=ssn(tid),
                    name_control=surname[:4].upper(), name_line1=f"Pat {surname}",
                    name_line2=None, surname=surname, birth_date=date(1980, 1, 1),
                    death_date=None, filing_requirements="1040",
                    established_on=date(2000, 1, 1), created_at=NOW,
                )
            )  # fmt: skip
            batch.addresses.append(
                AddressRec(
                    id=tid, taxpayer_id=tid, street=f"{tid} Birch St", city="Springfield",
                    state="VA", zip_code="22150", surname=surname, valid_from=date(2010, 1, 1),
                )
            )  # fmt: skip
            batch.modules.append(
                ModuleRec(
                    id=tid, taxpayer_id=tid, secondary_taxpayer_id=None, mft=30,
                    tax_period=PERIOD, filing_status=1, status_code=10,
                    status_date=date(2025, 4, 15), balance_cents=rng.randrange(0, 10**6),
                    return_due_date=date(2025, 4, 15), return_filed_date=date(2025, 4, 1),
                    assessed_on=None, ased=None, csed=None, rsed=None,
                    installment_agreement=False, created_at=NOW,
                )
            )  # fmt: skip
            for k in range(POSTINGS):
                batch.postings.append(
                    PostingRec(
                        id=tid * POSTINGS + k, module_id=tid, tc=150 if k == 0 else 670,
                        amount_cents=rng.randrange(0, 10**5),  # the TC gives the sign
                        dln=f"{tid:09d}{k:05d}", cycle=202515, transaction_date=date(2025, 4, 1),
                        posted_on=date(2025, 4, 20), created_at=NOW,
                    )
                )  # fmt: skip
        if lo == 1:
            batch.units.append(UnitRec(1, "FIELD", "Field operations"))
            batch.staff.extend(
                StaffRec(
                    id=sid, taxpayer_id=None, username=f"ra{sid}",
                    employee_number=f"01{sid:08d}", employment_type="employee", unit_id=1,
                    manager_id=None, clearance="none", created_at=NOW,
                    roles=("revenue_agent",),
                )
                for sid in range(1, n_staff + 1)
            )  # fmt: skip
        with engine.begin() as conn:
            write_batch(conn, vault, batch)
            if lo == 1:
                codes = sorted(catalogue())
                conn.execute(insert(unit_max_profiles), [{"unit_id": 1, "code": c} for c in codes])
                profile = [{"staff_id": s, "code": c} for s in range(1, n_staff + 1) for c in codes]
                conn.execute(insert(command_profiles), profile)
                acks = [
                    {"staff_id": s, "kind": "confidentiality", "signed_at": NOW}
                    for s in range(1, n_staff + 1)
                ]
                conn.execute(insert(acknowledgements), acks)
        tick(len(batch.taxpayers))


def _grant_row(rng: random.Random, n_staff: int, n_taxpayers: int) -> dict[str, object]:
    holder = rng.randrange(1, n_staff + 1)
    roll = rng.random()
    kind = "case" if roll < 0.85 else ("contact" if roll < 0.97 else "detail")
    starts = NOW - timedelta(days=rng.uniform(1, 60))
    if kind == "contact":
        starts = NOW - timedelta(hours=rng.uniform(0.1, 2))
        ends = NOW + timedelta(hours=rng.uniform(1, 4))
    else:
        ends = NOW + timedelta(days=rng.uniform(1, 90))
    revoked_at = revoked_by = None
    lapse = rng.random()
    if lapse < 0.05:  # lapsed: started days ago
        starts = NOW - timedelta(days=rng.uniform(3, 60))
    if lapse < 0.025:  # expired
        ends = NOW - timedelta(hours=rng.uniform(1, 48))
    elif lapse < 0.05:  # revoked
        revoked_at, revoked_by = NOW - timedelta(hours=rng.uniform(1, 48)), 1 + holder % n_staff
    return {
        "kind": kind,
        "holder_id": holder,
        "taxpayer_id": rng.randrange(1, n_taxpayers + 1),
        "starts_at": starts,
        "ends_at": ends,
        "granted_by": 1 + holder % n_staff,  # never the holder (n_staff > 1)
        "reason": "bench",
        "revoked_at": revoked_at,
        "revoked_by": revoked_by,
        "revoke_reason": None if revoked_at is None else "bench",
        "created_at": starts,
    }


def add_grants(
    engine: Engine, count: int, n_staff: int, n_taxpayers: int, seed: int, tick: Tick
) -> None:
    """Insert ``count`` random grants, 50k per executemany, one transaction per chunk."""
    rng = random.Random(seed)
    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        rows = [_grant_row(rng, n_staff, n_taxpayers) for _ in range(n)]
        with engine.begin() as conn:
            conn.execute(insert(grants), rows)
        done += n
        tick(n)


def active_pairs(engine: Engine, k: int, seed: int) -> list[tuple[int, int]]:
    """Up to ``k`` random (holder, taxpayer) pairs that hold an active case or contact grant."""
    rng = random.Random(seed)
    with engine.connect() as conn:
        top = conn.execute(select(grants.c.id).order_by(grants.c.id.desc()).limit(1)).scalar()
        ids = rng.sample(range(1, top + 1), min(top, 2 * k))
        rows = conn.execute(
            select(grants.c.holder_id, grants.c.taxpayer_id).where(
                grants.c.id.in_(ids),
                grants.c.kind.in_(("case", "contact")),
                grants.c.revoked_at.is_(None),
                grants.c.starts_at <= NOW,
                grants.c.ends_at > NOW,
            )
        ).all()
    pairs = [(r.holder_id, r.taxpayer_id) for r in rows]
    rng.shuffle(pairs)
    return pairs[:k]


def txmod(conn, resolved: Resolved) -> Output:  # type: ignore[no-untyped-def]
    """A TXMOD-sized read: the module, its posted transactions, the taxpayer's plain columns."""
    module = conn.execute(select(tax_modules).where(tax_modules.c.id == resolved.module_id)).first()
    posts = conn.execute(
        select(posted_transactions)
        .where(posted_transactions.c.module_id == resolved.module_id)
        .order_by(posted_transactions.c.id)
    ).all()
    person = conn.execute(
        select(
            taxpayers.c.id,
            taxpayers.c.name_control,
            taxpayers.c.entity_kind,
            taxpayers.c.filing_requirements,
            taxpayers.c.sensitivity,
        ).where(taxpayers.c.id == resolved.taxpayer_id)
    ).first()
    data = {
        "taxpayer": dict(person._mapping) if person else None,
        "module": dict(module._mapping) if module else None,
        "transactions": [dict(p._mapping) for p in posts],
    }
    return Output(data, rows=len(posts) + 2)


@contextmanager
def own_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL 15 with the server's default durability (fsync, synchronous
    commit, full-page writes all on), as in ``scripts/with-postgres.sh`` otherwise."""
    pgbin = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="idrs-bench-pg.")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if os.getuid() == 0:
        subprocess.run(["chown", "postgres:postgres", data], check=True)
    run = lambda *a: subprocess.run([*as_pg, *a], check=True, capture_output=True)  # noqa: E731
    run(f"{pgbin}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c max_connections=200"
    run(f"{pgbin}/pg_ctl", "-D", data, "-l", f"{data}/server.log", "-w", "-o", opts, "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_pg, f"{pgbin}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], capture_output=True
        )
        subprocess.run(["rm", "-rf", data])
