"""Synthetic pending input for demos and the benchmark: N pending transactions on existing
modules, marked ``source = 'synthetic'``.

Why a store function: the cycle needs something to post on a freshly generated population,
and the benchmark needs millions of realistic rows; the mix (mostly payments, some
adjustments, a few notice holds and pending-agreement indicators) exercises every stage.
Deterministic for a given seed and database.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from idrs.domain.dln import Dln
from idrs.store.tables.modules import pending_transactions, tax_modules

# (tc, action code, weight, amount range in cents)
MIX: tuple[tuple[int, int | None, int, tuple[int, int]], ...] = (
    (670, None, 70, (2_500, 250_000)),
    (610, None, 10, (10_000, 500_000)),
    (290, None, 10, (5_000, 150_000)),
    (470, None, 5, (0, 0)),
    (971, 43, 5, (0, 0)),
)
CHUNK = 50_000


def feed_pending(
    conn: Connection, *, count: int, seed: int, input_date: date, chunk: int = CHUNK
) -> int:
    """Write ``count`` synthetic pending transactions dated ``input_date``; returns count."""
    modules = list(conn.execute(select(tax_modules.c.id).order_by(tax_modules.c.id)).scalars())
    if not modules or count <= 0:
        return 0
    rng = random.Random(seed)
    first = conn.execute(
        select(func.coalesce(func.max(pending_transactions.c.id), 0) + 1)
    ).scalar_one()
    kinds = [(tc, ac, rng_range) for tc, ac, _, rng_range in MIX]
    weights = [w for _, _, w, _ in MIX]
    now = datetime.combine(input_date, time(12), tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    written = 0
    for k in range(count):
        tc, ac, (low, high) = rng.choices(kinds, weights)[0]
        n = first + k
        dln = Dln.build(10 + (n // 100_000) % 90, 2, 18, input_date, (n // 100) % 1000, n % 100)
        rows.append(
            {
                "id": n, "module_id": rng.choice(modules), "tc": tc,
                "amount_cents": rng.randint(low, high) if high else 0, "dln": dln.digits,
                "status": "PN", "transaction_date": input_date, "input_date": input_date,
                "action_code": ac, "reason_code": None, "source": "synthetic",
                "created_by": None, "approved_by": None, "approval_request_id": None,
                "detail": None, "tin_index": None, "name_control": None, "created_at": now,
            }
        )  # fmt: skip
        if len(rows) >= chunk:
            conn.execute(insert(pending_transactions), rows)
            written += len(rows)
            rows = []
    if rows:
        conn.execute(insert(pending_transactions), rows)
        written += len(rows)
    return written
