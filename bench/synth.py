"""Benchmark the synthetic population generator against an insert floor measured in the same run.

For each size, in fresh subprocesses (so peak memory belongs to one phase):

1. **generator**: ``idrs.synth.generator.run`` into a new SQLite database — generation, field
   encryption, blind indexes and chunked Core ``executemany`` inserts, one transaction per
   chunk, exactly as ``idrs synth`` does;
2. **floor (Core)**: the same rows (same tables, row counts and byte widths: the ciphertexts
   are read back beforehand, so nothing is generated or encrypted while timing) inserted into
   another new database through the same SQLAlchemy Core ``insert`` executemany path and the
   same driver, one transaction per chunk of the same number of taxpayers;
3. **floor (DB-API)**: the same again with ``cursor.executemany`` on plain tuples, no
   SQLAlchemy: the driver's own ceiling.

Printed: taxpayers/s, rows per taxpayer, rows/s, peak RSS per phase, and the generator's
rate as a share of each floor. Goal: at least 30% of the Core floor, and the same peak memory
at 100k and 1M taxpayers. Not a test; run ``python bench/synth.py --sizes 100000,1000000``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

AS_OF = date(2026, 6, 30)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate_phase(db: Path, taxpayers: int, chunk: int, seed: int) -> dict[str, Any]:
    from idrs.store.engine import make_engine
    from idrs.store.keyring import Keyring
    from idrs.store.migrate import upgrade
    from idrs.synth.generator import run

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    started = time.perf_counter()
    result = run(
        engine, Keyring.generate(), taxpayers=taxpayers, seed=seed, as_of=AS_OF, today=AS_OF,
        chunk_size=chunk,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "rows": result.rows_written, "peak_mb": _peak_mb()}


def _chunk_rows(conn: Any, lo: int, hi: int) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Rows owned by taxpayer ids [lo, hi), per table, found by the ordinal-based id ranges."""
    from sqlalchemy import select

    from idrs.store.population import POPULATION_TABLES

    # id = owner * width (+k): taxpayers 1, entity rows 100, modules/info 1000,
    # status history 10 000, postings 100 000 (module * 100); return lines by return id.
    width = {
        "taxpayers": 1, "addresses": 100, "taxpayer_links": 100, "authorizations": 100,
        "bank_accounts": 100, "information_returns": 1000, "tax_modules": 1000,
        "module_status_history": 10_000, "posted_transactions": 100_000,
        "filed_returns": 1000,
    }  # fmt: skip
    out = []
    for table in POPULATION_TABLES:
        if table.name in ("units", "staff", "staff_roles"):
            continue
        if table.name == "return_lines":
            key, w = table.c.return_id, 1000
        else:
            key, w = table.c.id, width[table.name]
        rows = conn.execute(select(table).where(key >= lo * w, key < hi * w)).mappings().all()
        out.append((table, [dict(r) for r in rows]))
    return out


def floor_phase(
    source: Path, target: Path, taxpayers: int, chunk: int, seed: int, raw: bool
) -> dict[str, Any]:
    from sqlalchemy import insert

    from idrs.store.engine import make_engine
    from idrs.store.migrate import upgrade
    from idrs.synth.layout import chunks

    src = make_engine(f"sqlite:///{source}")
    dst = make_engine(f"sqlite:///{target}")
    upgrade(dst)
    timed = 0.0
    rows_total = 0
    with src.connect() as read:
        for _, households in chunks(seed, taxpayers, chunk):
            if not households:
                continue
            lo, last = households[0].start + 1, households[-1]
            tables = _chunk_rows(read, lo, last.start + last.size + 1)
            if raw:
                prepared = [
                    (
                        f"INSERT INTO {t.name} ({', '.join(c.name for c in t.c)}) "
                        f"VALUES ({', '.join('?' for _ in t.c)})",
                        [tuple(_raw(r[c.name]) for c in t.c) for r in rows],
                    )
                    for t, rows in tables
                    if rows
                ]
            started = time.perf_counter()
            with dst.begin() as conn:
                if raw:
                    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                    for sql, params in prepared:
                        cur.executemany(sql, params)
                        rows_total += len(params)
                else:
                    for table, rows in tables:
                        if rows:
                            conn.execute(insert(table), rows)
                            rows_total += len(rows)
            timed += time.perf_counter() - started
    src.dispose()
    dst.dispose()
    return {"seconds": timed, "rows": rows_total, "peak_mb": _peak_mb()}


def _raw(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return value


def _child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _line(name: str, size: int, r: dict[str, Any]) -> None:
    rate, row_rate = size / r["seconds"], r["rows"] / r["seconds"]
    print(
        f"{name:13s} {rate:10,.0f} taxpayers/s {row_rate:10,.0f} rows/s"
        f"  {r['seconds']:8,.1f} s  peak RSS {r['peak_mb']:6,.0f} MB",
        flush=True,
    )


def bench(size: int, chunk: int, seed: int, workdir: Path) -> None:
    gen_db, floor_db, raw_db = workdir / "gen.db", workdir / "floor.db", workdir / "raw.db"
    for p in workdir.glob("*.db*"):
        p.unlink()
    print(f"\n== {size:,} taxpayers (SQLite, chunk {chunk:,})", flush=True)
    same = ["--size", str(size), "--chunk-size", str(chunk), "--seed", str(seed)]
    gen = _child(["--phase", "generate", *same, "--db", str(gen_db)])
    print(
        f"database {gen_db.stat().st_size / 2**20:,.0f} MB, {gen['rows'] / size:.1f} rows/taxpayer"
    )
    _line("generator", size, gen)
    core = _child(["--phase", "floor", *same, "--db", str(gen_db), "--target", str(floor_db)])
    _line("floor Core", size, core)
    floor_db.unlink()
    raw = _child(["--phase", "raw", *same, "--db", str(gen_db), "--target", str(raw_db)])
    _line("floor DB-API", size, raw)
    raw_db.unlink()
    print(f"generator / Core floor:   {core['seconds'] / gen['seconds']:6.1%}  (goal >= 30%)")
    print(f"generator / DB-API floor: {raw['seconds'] / gen['seconds']:6.1%}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="20000", help="comma-separated populations")
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default=None, help="where the databases go (default tmp)")
    parser.add_argument("--phase", choices=("generate", "floor", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "generate":
        print(json.dumps(generate_phase(Path(args.db), args.size, args.chunk_size, args.seed)))
        return
    if args.phase in ("floor", "raw"):
        result = floor_phase(
            Path(args.db), Path(args.target), args.size, args.chunk_size, args.seed,
            args.phase == "raw",
        )  # fmt: skip
        print(json.dumps(result))
        return
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="idrs-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            bench(size, args.chunk_size, args.seed, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
