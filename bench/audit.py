"""Audit-log benchmark: append rate, proof latency, verify speed — each against a floor.

Figures are printed, not asserted: every rate is shown next to a floor measured in the same
run on the same machine (a bare durable batched insert of the same rows; raw SHA-256 over
the same bytes), so a loaded or slow machine shows up in both numbers and the ratio stays
meaningful.

    scripts/with-postgres.sh .venv/bin/python bench/audit.py          # about a minute
    scripts/with-postgres.sh .venv/bin/python bench/audit.py --full   # proofs at 1M and 10M

PostgreSQL comes from IDRS_BENCH_PG_URL or IDRS_TEST_PG_URL (an admin URL; a scratch database
is created and dropped); without either, only SQLite runs. SQLite runs with
``synchronous=FULL`` so each commit is fsynced; for PostgreSQL the server's ``fsync`` and
``synchronous_commit`` settings are printed, because scripts/with-postgres.sh turns fsync off.

Goals (issue): >= 20,000 appends/s and >= 30% of the insert floor; inclusion proof <= 1 ms
(p50, fresh process); full verify >= 30% of the SHA-256 floor.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

from idrs.audit import store_proofs
from idrs.audit.check import verify_store
from idrs.audit.checkpoints import issue_checkpoint
from idrs.audit.encoding import Encoded, encode
from idrs.audit.events import Decision, Event, Tag, command_event
from idrs.audit.log import (
    _ENTRY_COLUMNS,
    _PG_TYPES,
    GroupCommitter,
    _insert_rows,
    append,
    append_many,
)
from idrs.audit.merkle import node_hash, verify_inclusion
from idrs.clock import Clock
from idrs.store.engine import make_engine
from idrs.store.keyring import Keyring
from idrs.store.migrate import upgrade

AT = datetime(2026, 4, 15, 14, 30, tzinfo=UTC)
KEYRING = Keyring.generate()


# -- databases -------------------------------------------------------------------------


def _pg_admin() -> str | None:
    return os.environ.get("IDRS_BENCH_PG_URL") or os.environ.get("IDRS_TEST_PG_URL")


def _durable_sqlite(engine: Engine) -> None:
    def full(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous=FULL")

    event.listen(engine, "connect", full)  # after make_engine's NORMAL, so FULL wins


@contextmanager
def scratch_db(backend: str, workdir: Path, name: str) -> Iterator[tuple[str, Engine]]:
    """A fresh migrated database, dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / (name + '.db')}"
        engine = make_engine(url)
        _durable_sqlite(engine)
        upgrade(engine)
        try:
            yield url, engine
        finally:
            engine.dispose()
        return
    admin_url = _pg_admin()
    assert admin_url
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    dbname = f"idrs_bench_audit_{os.getpid()}_{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    url = make_url(admin_url).set(database=dbname).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()


def durability(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return f"synchronous={conn.exec_driver_sql('PRAGMA synchronous').scalar()} (2=FULL)"
        fsync = conn.exec_driver_sql("SHOW fsync").scalar()
        sync = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
        return f"fsync={fsync} synchronous_commit={sync}"


# -- events ----------------------------------------------------------------------------


def make_event(i: int) -> Event:
    """A realistic gate read: ~640 bytes of leaf."""
    return command_event(
        Tag.GATE_ACCOUNT_READ,
        actor=f"staff:{i % 997}",
        command="TXMOD",
        decision=Decision.PERMIT,
        at=AT,
        taxpayer=f"tp:{i}",
        reasons=["grant.case_assigned"],
        categories=["balance", "transactions"],
        rows=3 + i % 20,
        payload=i.to_bytes(8, "big") * 25,
        policy_hash="ab" * 32,
        facts=b"grant active",
        session=f"s-{i % 64}",
        terminal="T042",
        client="10.0.0.7",
        purpose="case work",
        case_id=f"C-{i % 5000}",
        grant_id=f"G-{i % 5000}",
    )


def timed(fn: Any, *args: Any) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


# -- 1. append rate --------------------------------------------------------------------

FLOOR_DDL = {
    "sqlite": "CREATE TABLE bench_floor (idx BIGINT PRIMARY KEY, leaf BLOB NOT NULL, "
    "leaf_hash BLOB NOT NULL, tag VARCHAR(64) NOT NULL, recorded_at DATETIME NOT NULL, "
    "actor BLOB NOT NULL, taxpayer BLOB)",
    "postgresql": "CREATE TABLE bench_floor (idx BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, "
    "leaf_hash BYTEA NOT NULL, tag VARCHAR(64) NOT NULL, recorded_at TIMESTAMPTZ NOT NULL, "
    "actor BYTEA NOT NULL, taxpayer BYTEA)",
}


def floor_insert(engine: Engine, encoded: Sequence[Encoded], batch: int) -> float:
    """The floor: the same entry rows into a table of the same shape and indexes, through the
    same driver path append uses (binary COPY / executemany), one durable commit per batch."""
    backend = engine.dialect.name
    with engine.begin() as conn:
        conn.exec_driver_sql(FLOOR_DDL[backend])
        conn.exec_driver_sql("CREATE INDEX ix_floor_actor ON bench_floor (actor)")
        conn.exec_driver_sql("CREATE INDEX ix_floor_taxpayer ON bench_floor (taxpayer)")
    when: Any = AT.strftime("%Y-%m-%d %H:%M:%S.%f") if backend == "sqlite" else AT
    rows = [
        (i, e.leaf, e.leaf_hash, e.tag, when, e.actor, e.taxpayer) for i, e in enumerate(encoded)
    ]
    types = _PG_TYPES["audit_entries"]
    t = time.perf_counter()
    for start in range(0, len(rows), batch):
        with engine.begin() as conn:
            _insert_rows(conn, "bench_floor", _ENTRY_COLUMNS, rows[start : start + batch], types)
    return len(rows) / (time.perf_counter() - t)


def append_batches(engine: Engine, events: Sequence[Event], batch: int) -> float:
    t = time.perf_counter()
    for start in range(0, len(events), batch):
        with engine.begin() as conn:
            append_many(conn, events[start : start + batch], keyring=KEYRING)
    return len(events) / (time.perf_counter() - t)


def append_group(
    engine: Engine, events: Sequence[Event], threads: int, in_flight: int
) -> tuple[float, float]:
    """Group commit under load: ``in_flight`` requests at a time, spread over ``threads``
    threads, each waiting until its entry is durable. Returns (rate, entries per commit)."""
    commits = 0

    def count(_size: int) -> None:
        nonlocal commits
        commits += 1

    window = max(1, in_flight // threads)
    shares = [events[t::threads] for t in range(threads)]
    with GroupCommitter(engine, KEYRING, after_commit=count) as gc:

        def run(share: Sequence[Event]) -> None:
            pending: deque[Future[int]] = deque()
            for e in share:
                pending.append(gc.submit(e))
                if len(pending) >= window:
                    pending.popleft().result()
            for fut in pending:
                fut.result()

        workers = [threading.Thread(target=run, args=(s,)) for s in shares]
        t = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - t
    return len(events) / elapsed, len(events) / max(commits, 1)


def append_single(engine: Engine, events: Sequence[Event]) -> float:
    t = time.perf_counter()
    for e in events:
        with engine.begin() as conn:
            append(conn, e, keyring=KEYRING)
    return len(events) / (time.perf_counter() - t)


def bench_appends(
    backend: str, workdir: Path, n: int, batch: int, threads: int, in_flight: int
) -> None:
    events = [make_event(i) for i in range(n)]
    construct = timed(lambda: [make_event(i) for i in range(min(n, 5000))]) / min(n, 5000)
    encode_us = timed(lambda: [encode(e, KEYRING) for e in events[:5000]]) / min(n, 5000)
    encoded = [encode(e, KEYRING) for e in events]
    print(f"\n[{backend}] appends: {n} events, leaf {len(encoded[0].leaf)} B")
    print(f"  building an Event      {construct * 1e6:8.1f} us   (caller side, not in rates)")
    print(f"  encode (HMACs, JSON)   {encode_us * 1e6:8.1f} us")
    with scratch_db(backend, workdir, "floor") as (_url, engine):
        print(f"  durability: {durability(engine)}")
        floor = floor_insert(engine, encoded, batch)
    print(f"  floor: bare insert, {batch}/commit   {floor:10,.0f} rows/s")
    with scratch_db(backend, workdir, "batch") as (_url, engine):
        rate = append_batches(engine, events, batch)
    print(f"  append_many, {batch}/commit        {rate:10,.0f} /s   {rate / floor:6.1%} of floor")
    with scratch_db(backend, workdir, "group") as (_url, engine):
        rate, per_commit = append_group(engine, events, threads, in_flight)
    print(
        f"  group commit, {in_flight} waiting     {rate:10,.0f} /s   {rate / floor:6.1%} of floor"
        f"   ({per_commit:.0f} entries/commit)"
    )
    single = events[: min(n, 300)]
    with scratch_db(backend, workdir, "single") as (_url, engine):
        rate = append_single(engine, single)
    print(f"  one append per commit        {rate:10,.0f} /s   (no group commit, for contrast)")


# -- bulk loader for large logs (bench only) ---------------------------------------------


def bulk_load(engine: Engine, n: int, chunk: int = 50_000) -> int:
    """Fill an empty log with ``n`` synthetic entries fast; returns total leaf bytes.

    Same rows append() would write (leaf, leaf hash, every full subtree), but leaves come from
    a template with a varying timestamp, without the append lock (the database is fresh).
    """
    base = encode(make_event(0), KEYRING)
    marker = b'"at":' + str(10**15).encode()
    template = base.leaf.replace(b'"at":' + str(base.at).encode(), marker)
    prefix, suffix = template.split(marker)
    pg = engine.dialect.name == "postgresql"
    when: Any = AT if pg else AT.strftime("%Y-%m-%d %H:%M:%S.%f")
    stack: list[tuple[int, int, bytes]] = []
    total = 0
    for start in range(0, n, chunk):
        entries: list[tuple[Any, ...]] = []
        nodes: list[tuple[Any, ...]] = []
        for i in range(start, min(start + chunk, n)):
            leaf = prefix + b'"at":' + str(10**15 + i).encode() + suffix
            total += len(leaf)
            digest = hashlib.sha256(b"\x00" + leaf).digest()
            entries.append((i, leaf, digest, base.tag, when, base.actor, base.taxpayer))
            level, idx = 0, i
            nodes.append((0, i, digest))
            while stack and stack[-1][0] == level:
                _, left_idx, left = stack.pop()
                level, idx, digest = level + 1, left_idx >> 1, node_hash(left, digest)
                nodes.append((level, idx, digest))
            stack.append((level, idx, digest))
        with engine.begin() as conn:
            _insert_rows(conn, "audit_entries", _ENTRY_COLUMNS, entries)
            _insert_rows(conn, "audit_nodes", ("level", "idx", "hash"), nodes)
    if pg:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE audit_entries")
            conn.exec_driver_sql("ANALYZE audit_nodes")
    return total


# -- 2. proof latency from a fresh process -----------------------------------------------


def prove_child(url: str, size: int, count: int) -> None:
    """Runs in a new process: time inclusion proofs at random indexes."""
    t0 = time.perf_counter()
    engine = make_engine(url)
    rng = random.Random(size)
    times = []
    with engine.connect() as conn:
        root = store_proofs.root_at(conn, size)
        first = time.perf_counter() - t0
        for _ in range(count):
            index = rng.randrange(size)
            t = time.perf_counter()
            proof = store_proofs.inclusion_proof(conn, index, size)
            times.append(time.perf_counter() - t)
            leaf = store_proofs.leaf_at(conn, index)
            verify_inclusion(hashlib.sha256(b"\x00" + leaf).digest(), index, size, proof, root)
    engine.dispose()
    times.sort()
    print(
        json.dumps(
            {
                "first_ms": first * 1e3,
                "p50_ms": statistics.median(times) * 1e3,
                "p99_ms": times[int(len(times) * 0.99) - 1] * 1e3,
                "proof_len": len(proof),
            }
        )
    )


def bench_proofs_and_verify(
    backend: str, workdir: Path, sizes: Sequence[int], verify_max: int
) -> None:
    for size in sizes:
        with scratch_db(backend, workdir, f"log{size}") as (url, engine):
            t = time.perf_counter()
            total = bulk_load(engine, size)
            load = time.perf_counter() - t
            with engine.begin() as conn:
                issue_checkpoint(conn, KEYRING, Clock(ZoneInfo("UTC")))
            out = subprocess.run(
                [sys.executable, __file__, "--child-prove", url, str(size), "300"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out)
            print(
                f"\n[{backend}] log of {size:,} entries (bulk-loaded in {load:.0f} s, "
                f"{size / load:,.0f}/s)"
            )
            print(
                f"  inclusion proof, fresh process: p50 {r['p50_ms']:.3f} ms, "
                f"p99 {r['p99_ms']:.3f} ms, first (incl. connect) {r['first_ms']:.1f} ms, "
                f"{r['proof_len']} hashes"
            )
            if size <= verify_max:
                bench_verify(engine, size, total)


def bench_verify(engine: Engine, size: int, total: int) -> None:
    t = time.perf_counter()
    report = verify_store(engine, KEYRING, None)
    took = time.perf_counter() - t
    assert report.ok, report.lines()
    with engine.connect() as conn:
        leaves = [bytes(r[0]) for r in conn.exec_driver_sql("SELECT leaf FROM audit_entries")]
    t = time.perf_counter()
    for leaf in leaves:
        hashlib.sha256(b"\x00" + leaf).digest()
    floor = time.perf_counter() - t
    t = time.perf_counter()
    h = hashlib.sha256()
    for leaf in leaves:
        h.update(leaf)
    stream = time.perf_counter() - t
    mb = total / 1e6
    print(
        f"  full verify: {size / took:,.0f} entries/s, {mb / took:.1f} MB/s; "
        f"floor SHA-256 per leaf {mb / floor:.0f} MB/s -> {floor / took:.1%} of floor "
        f"(one SHA-256 stream {mb / stream:.0f} MB/s -> {stream / took:.1%})"
    )


# -- main ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--appends", type=int, default=5_000, help="events per append mode")
    p.add_argument("--batch", type=int, default=1000, help="entries per commit (batch, floor)")
    p.add_argument("--threads", type=int, default=8, help="caller threads for group commit")
    p.add_argument("--in-flight", type=int, default=2000, help="requests waiting at once")
    p.add_argument("--proof-sizes", default="50000", help="comma-separated log sizes")
    p.add_argument("--verify-max", type=int, default=1_000_000, help="verify logs up to this")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--full", action="store_true", help="proofs at 1M and 10M, 100k appends")
    p.add_argument("--skip-appends", action="store_true", help="only proofs and verify")
    p.add_argument(
        "--child-prove", nargs=3, metavar=("URL", "SIZE", "COUNT"), help=argparse.SUPPRESS
    )
    args = p.parse_args(argv)
    if args.child_prove:
        url, size, count = args.child_prove
        prove_child(url, int(size), int(count))
        return
    if args.full:
        args.appends, args.proof_sizes = max(args.appends, 100_000), "1000000,10000000"
    backends = [b for b in args.backends.split(",") if b]
    if "postgresql" in backends and not _pg_admin():
        print("no IDRS_BENCH_PG_URL / IDRS_TEST_PG_URL: PostgreSQL skipped")
        backends.remove("postgresql")
    sizes = [int(s) for s in args.proof_sizes.split(",") if s]
    print(f"audit bench: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="idrs-bench-audit-") as tmp:
        for backend in backends:
            if not args.skip_appends:
                bench_appends(
                    backend, Path(tmp), args.appends, args.batch, args.threads, args.in_flight
                )
            bench_proofs_and_verify(backend, Path(tmp), sizes, args.verify_max)


if __name__ == "__main__":
    main()
