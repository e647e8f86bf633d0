"""Benchmark posting-cycle throughput against a bulk-insert floor measured in the same run.

For each size N and engine (SQLite always; PostgreSQL when ``IDRS_TEST_PG_URL`` is set, e.g.
under ``scripts/with-postgres.sh``): a fresh database with N/20 modules (minimal taxpayers
and modules written directly), N synthetic pending transactions from
``idrs.store.posting.feed``, then the set-based stages timed one by one (validate, post,
settle; each in its own transaction as the cycle runs them, without the job runner's audit
entries). The floor is a raw ``INSERT INTO ... SELECT`` of the same N rows into a table
shaped like ``posted_transactions`` in the same database. Printed: rows/s per stage and end
to end, and end to end as a share of the floor (goal >= 30%), and this process's peak memory
(pending rows are fed in chunks; the stages are set-based, so it stays flat with N). Not a
test.

    python bench/cycle.py                  # small
    python bench/cycle.py --sizes 1000000  # the real run
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import UTC, date, datetime

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from idrs.domain.periods import Cycle
from idrs.store.engine import make_engine
from idrs.store.migrate import upgrade
from idrs.store.posting.feed import feed_pending
from idrs.store.posting.post import post
from idrs.store.posting.settle import settle
from idrs.store.posting.validate import validate
from idrs.store.tables.modules import tax_modules
from idrs.store.tables.taxpayers import taxpayers

CYCLE = Cycle.parse("20260202")
NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)
out = Console()


def _population(engine: Engine, modules: int) -> None:
    people = max(1, modules // 10)
    with engine.begin() as conn:
        conn.execute(
            insert(taxpayers),
            [
                {"id": i, "entity_kind": "individual", "tin_kind": "SSN",
                 "tin_enc": b"x" * 40, "tin_index": i.to_bytes(16, "big"),
                 "name_control": "BNCH", "name_line1_enc": b"x" * 40,
                 "filing_requirements": "1040", "fiscal_year_month": 12,
                 "established_on": date(2000, 1, 1), "sensitivity": "none",
                 "employee_flag": False, "created_at": NOW}
                for i in range(1, people + 1)
            ],
        )  # fmt: skip
        conn.execute(
            insert(tax_modules),
            [
                {"id": m, "taxpayer_id": 1 + (m - 1) % people, "mft": 30,
                 "tax_period": 201512 + 100 * ((m - 1) // people), "plan_number": 0,
                 "status_code": 6, "status_date": date(2025, 1, 1), "balance_cents": 0,
                 "return_due_date": date(2025, 4, 15), "installment_agreement": False,
                 "created_at": NOW}
                for m in range(1, modules + 1)
            ],
        )  # fmt: skip


def _timed(engine: Engine, fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    with engine.begin() as conn:
        fn(conn)
    return time.perf_counter() - start


FLOOR = """
INSERT INTO bench_floor (id, module_id, tc, amount_cents, dln, cycle, transaction_date,
                         posted_on, action_code, reason_code, pending_id, created_at)
SELECT id, module_id, tc, amount_cents, dln, 1, transaction_date, input_date, action_code,
       reason_code, id, created_at FROM pending_transactions
"""


def bench(url: str, n: int) -> dict[str, float]:
    engine = make_engine(url)
    upgrade(engine)
    _population(engine, max(10, n // 20))
    with engine.begin() as conn:
        feed_pending(conn, count=n, seed=1, input_date=date(2026, 1, 2))
        conn.execute(
            text("CREATE TABLE bench_floor AS SELECT * FROM posted_transactions WHERE 1=0")
        )
    d, c = CYCLE.posting_date, int(str(CYCLE))
    times = {
        "floor": _timed(engine, lambda conn: conn.execute(text(FLOOR))),
        "validate": _timed(engine, lambda conn: validate(conn, c, d, NOW)),
        "post": _timed(engine, lambda conn: post(conn, c, d, NOW)),
        "settle": _timed(engine, lambda conn: settle(conn, c, d, NOW)),
    }
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000")
    args = parser.parse_args()
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            targets.append(("sqlite", n, f"sqlite:///{tmp}/bench_{n}.db"))
            pg = os.environ.get("IDRS_TEST_PG_URL")
            if pg:
                admin = make_engine(pg, isolation_level="AUTOCOMMIT")
                name = f"idrs_bench_cycle_{n}"
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                admin.dispose()
                url = make_url(pg).set(database=name).render_as_string(hide_password=False)
                targets.append(("postgresql", n, url))
        table = Table("engine", "N", "stage", "seconds", "rows/s", "share of floor")
        for engine_name, n, url in targets:
            t = bench(url, n)
            floor_rate = n / t["floor"]
            for stage in ("floor", "validate", "post", "settle"):
                rate = n / t[stage]
                table.add_row(engine_name, f"{n:,}", stage, f"{t[stage]:.2f}", f"{rate:,.0f}",
                              f"{rate / floor_rate:.0%}")  # fmt: skip
            total = t["validate"] + t["post"] + t["settle"]
            table.add_row(engine_name, f"{n:,}", "end to end", f"{total:.2f}",
                          f"{n / total:,.0f}", f"{(n / total) / floor_rate:.0%}")  # fmt: skip
        out.print(table)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        out.print(f"peak memory of this process: {peak} MiB (the stages run in the database)")


if __name__ == "__main__":
    main()
