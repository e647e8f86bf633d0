"""Counts and facts about a database, for ``idrs status`` and ``make run``'s welcome."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from idrs.store.keyring import Keyring
from idrs.store.tables.meta import db_meta, synth_runs
from idrs.store.tables.modules import posted_transactions, tax_modules
from idrs.store.tables.returns import information_returns
from idrs.store.tables.staff import staff, staff_roles
from idrs.store.tables.taxpayers import taxpayers


@dataclass(frozen=True)
class Summary:
    synthetic: bool
    taxpayers: int
    modules: int
    posted: int
    information_returns: int
    population_status: str
    staff: list[tuple[str, str, str]]  # username, employment type, roles


def meta_value(conn: Connection, key: str) -> str | None:
    return conn.execute(select(db_meta.c.value).where(db_meta.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: str) -> None:
    from sqlalchemy import delete, insert

    conn.execute(delete(db_meta).where(db_meta.c.key == key))
    conn.execute(insert(db_meta).values(key=key, value=value))


def keyring_fingerprint(keyring: Keyring) -> str:
    """A value that tells keyrings apart without revealing anything about the master key."""
    return hmac.new(keyring.master_key, b"idrs-keyring-fingerprint", hashlib.sha256).hexdigest()[
        :16
    ]


def summarise(conn: Connection) -> Summary:
    count = lambda t: conn.execute(select(func.count()).select_from(t)).scalar_one()  # noqa: E731
    run = conn.execute(
        select(synth_runs.c.status, synth_runs.c.chunks_done, synth_runs.c.taxpayers)
        .order_by(synth_runs.c.id.desc())
        .limit(1)
    ).first()
    status = "none" if run is None else str(run.status)
    roles = conn.execute(
        select(staff.c.username, staff.c.employment_type, staff_roles.c.role)
        .select_from(staff.outerjoin(staff_roles, staff_roles.c.staff_id == staff.c.id))
        .order_by(staff.c.username, staff_roles.c.role)
    ).all()
    people: dict[str, tuple[str, list[str]]] = {}
    for r in roles:
        people.setdefault(r.username, (r.employment_type, []))[1].append(r.role or "")
    return Summary(
        synthetic=meta_value(conn, "synthetic") == "true",
        taxpayers=count(taxpayers),
        modules=count(tax_modules),
        posted=count(posted_transactions),
        information_returns=count(information_returns),
        population_status=status,
        staff=[(u, t, ",".join(r for r in rs if r)) for u, (t, rs) in people.items()],
    )
