"""Benchmark: access decisions (grant look-up included) and the cost of the one door.

Figures are printed next to floors measured in the same run (a primary-key fetch; the same
TXMOD-sized read done directly), and against the issue's goals: decision p50 <= 150 us on SQLite;
on PostgreSQL with group commit, gated saturation throughput >= 1/3 of the direct fetch's and
p95 <= 10 ms at an offered 500 gated requests/s.

    .venv/bin/python bench/access.py --quick                     # SQLite only, ~1 minute
    scripts/with-postgres.sh .venv/bin/python bench/access.py    # + that server (fsync=off)
    .venv/bin/python bench/access.py --own-pg                    # + own server, default durability
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from _access_data import NOW, PERIOD, active_pairs, add_grants, own_postgres, ssn, txmod
from _access_data import write_population as populate
from idrs.access.catalogue import command
from idrs.access.decide import decide
from idrs.access.slice import build_slice
from idrs.audit.log import GroupCommitter
from idrs.clock import FixedClock
from idrs.gate import Gate, Resolved, Session, Subject
from idrs.store.access_facts import principal_facts
from idrs.store.engine import make_engine
from idrs.store.keyring import Keyring
from idrs.store.migrate import upgrade
from idrs.store.tables.taxpayers import taxpayers

ZONE = ZoneInfo("America/New_York")
GOAL_DECISION_P50_US = 150.0
GOAL_SATURATION_RATIO = 1 / 3
GOAL_P95_MS = 10.0
console = Console() if sys.stdout.isatty() else Console(width=150)
RESULTS: list[tuple[str, ...]] = []  # backend, grants, measure, figure, floor, ratio, goal


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))] if s else float("nan")


def qs(values: list[float]) -> tuple[float, float, float]:
    return pct(values, 50), pct(values, 95), pct(values, 99)


def record(backend: str, grants: str, measure: str, figure: str, floor="", ratio="", goal=""):  # type: ignore[no-untyped-def]
    RESULTS.append((backend, grants, measure, figure, floor, ratio, goal))
    console.print(f"  [dim]{backend} {grants}[/] {measure}: {figure}  {ratio}  {goal}")


def verdict(ok: bool, goal: str) -> str:
    return f"{goal} [green]met[/]" if ok else f"{goal} [red]MISSED[/]"


@contextmanager
def progress(label: str, total: float, unit: bool = True):  # type: ignore[no-untyped-def]
    cols = [TextColumn(label), BarColumn(), MofNCompleteColumn() if unit else TextColumn("")]
    with Progress(*cols, TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n=1: bar.advance(task, n)


def session(sid: int) -> Session:
    return Session(sid, f"bench-{sid}", "T01", NOW + timedelta(days=365))


def tin(tid: int) -> str:
    d = ssn(tid)
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


# -- measurements --------------------------------------------------------------------------
def decisions(engine: Engine, pairs: list[tuple[int, int]], warm: int) -> tuple[list, ...]:
    """principal_facts + build_slice + decide per pair in one connection; before that, in the
    same connection and over the same taxpayers, the floors: a PK fetch of the taxpayer row via
    SQLAlchemy Core and via the bare driver cursor, each in a tight loop."""
    cmd = command("TXMOD")
    dec, floor, raw_floor, permits = [], [], [], 0
    pk = select(taxpayers).where(taxpayers.c.id == sqlalchemy.bindparam("tid"))
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    raw_sql = f"SELECT * FROM taxpayers WHERE id = {mark}"
    run = pairs[:warm] + pairs
    with engine.connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for i, (_, tid) in enumerate(run):
            t0 = time.perf_counter()
            cur.execute(raw_sql, (tid,))
            cur.fetchone()
            if i >= warm:
                raw_floor.append((time.perf_counter() - t0) * 1e6)
        for i, (_, tid) in enumerate(run):
            t0 = time.perf_counter()
            conn.execute(pk, {"tid": tid}).first()
            if i >= warm:
                floor.append((time.perf_counter() - t0) * 1e6)
        for i, (sid, tid) in enumerate(run):
            t0 = time.perf_counter()
            principal = principal_facts(conn, sid)
            slice_ = build_slice(conn, principal, cmd, tid, tid, NOW, ZONE, "bench")
            d = decide(slice_)
            if i >= warm:
                dec.append((time.perf_counter() - t0) * 1e6)
                permits += d.permitted
    return dec, floor, raw_floor, permits


def direct_read(engine: Engine) -> Callable[[tuple[int, int]], None]:
    def run(pair: tuple[int, int]) -> None:
        with engine.connect() as conn:
            txmod(conn, Resolved(None, pair[1], pair[1]))

    return run


def gated_read(gate: Gate) -> Callable[[tuple[int, int]], None]:
    def run(pair: tuple[int, int]) -> None:
        sid, tid = pair
        gate.request(session(sid), "TXMOD", Subject(tin(tid), 30, PERIOD), "bench", txmod)

    return run


def latencies(fn: Callable, pairs: list[tuple[int, int]], warm: int) -> list[float]:
    out = []
    for i, pair in enumerate(pairs[:warm] + pairs):
        t0 = time.perf_counter()
        fn(pair)
        if i >= warm:
            out.append((time.perf_counter() - t0) * 1e3)
    return out


def saturate(label: str, fn: Callable, pairs: list, threads: int, seconds: float) -> float:
    """Closed loop: ``threads`` threads each issue requests back to back; returns req/s."""
    counts, errors = [0] * threads, []
    deadline = time.perf_counter() + seconds

    def worker(k: int) -> None:
        rng = random.Random(k)
        try:
            while time.perf_counter() < deadline:
                fn(rng.choice(pairs))
                counts[k] += 1
        except Exception as exc:  # report, do not hang the run
            errors.append(exc)

    start = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    with progress(f"{label} ({threads} threads)", seconds, unit=False) as tick:
        while any(w.is_alive() for w in workers):
            time.sleep(0.25)
            tick(0.25)
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return sum(counts) / (time.perf_counter() - start)


def open_loop(label: str, fn: Callable, pairs: list, rate: float, seconds: float, workers: int):  # type: ignore[no-untyped-def]
    """Offered load: the scheduler issues a request every 1/rate s to a pool, whatever the
    backlog; latency runs from the scheduled start, so queueing counts. Requests not finished
    ``seconds`` after the window closes are cancelled and count as infinitely late."""
    lat: list[float] = []
    rng = random.Random(3)
    n = int(rate * seconds)
    with ThreadPoolExecutor(workers) as pool, progress(f"{label} @ {rate:.0f}/s", n) as tick:

        def task(due: float, pair: tuple[int, int]) -> None:
            fn(pair)
            lat.append((time.perf_counter() - due) * 1e3)
            tick()

        start = time.perf_counter() + 0.05
        futures = []
        for i in range(n):
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(task, due, rng.choice(pairs)))
        wait(futures, timeout=start + 2 * seconds - time.perf_counter())
        late = sum(f.cancel() for f in futures)
        wait(futures)
        took = time.perf_counter() - start
    return qs(lat + [float("inf")] * late), (n - late) / took, n - late, n


def profile(fn: Callable, pairs: list, label: str) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for pair in pairs:
        fn(pair)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(30)
    console.rule(f"cProfile: {len(pairs)} gated TXMOD requests, {label}")
    console.print(out.getvalue(), markup=False, highlight=False)


# -- one backend ---------------------------------------------------------------------------
def pg_database(admin_url: str, threads: int, workers: int) -> Engine:
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS idrs_bench_access WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE idrs_bench_access"))
    admin.dispose()
    url = make_url(admin_url).set(database="idrs_bench_access")
    return make_engine(
        url.render_as_string(hide_password=False),
        pool_size=max(threads, workers) + 4,
        max_overflow=8,
        connect_args={"options": "-c synchronous_commit=on"},  # durable commits per session
    )


def server_notes(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=NORMAL (commit not fsynced)"
    with engine.connect() as conn:
        show = {k: conn.execute(text(f"SHOW {k}")).scalar() for k in ("server_version", "fsync")}
        show["synchronous_commit"] = conn.execute(text("SHOW synchronous_commit")).scalar()
        show["full_page_writes"] = conn.execute(text("SHOW full_page_writes")).scalar()
    note = ", ".join(f"{k}={v}" for k, v in show.items())
    if show["fsync"] == "off":
        note += "  [red]fsync=off: commits are NOT durable, group commit saves no fsync here[/]"
    return f"PostgreSQL {note}"


def run_backend(backend: str, engine: Engine, args: argparse.Namespace, keyring: Keyring) -> None:
    console.rule(f"{backend}: {server_notes(engine)}")
    upgrade(engine)
    with progress("taxpayers", args.taxpayers) as tick:
        populate(engine, keyring, args.taxpayers, args.staff, tick)
    clock = FixedClock(ZONE, NOW)
    have = 0
    for target in args.grants:
        with progress(f"grants to {target:,}", target - have) as tick:
            t0 = time.perf_counter()
            add_grants(engine, target - have, args.staff, args.taxpayers, target, tick)
            took = time.perf_counter() - t0
        console.print(f"  inserted {target - have:,} grants in {took:.1f} s")
        have, g = target, f"{target:,}"
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        pairs = active_pairs(engine, args.samples, seed=target)
        dec, floor, raw_floor, permits = decisions(engine, pairs, warm=min(200, len(pairs)))
        d50, d95, d99 = qs(dec)
        f50, r50 = pct(floor, 50), pct(raw_floor, 50)
        goal = ""
        if backend == "sqlite":
            goal = verdict(d50 <= GOAL_DECISION_P50_US, f"p50 <= {GOAL_DECISION_P50_US:.0f} us")
        record(
            backend, g, f"decision p50/p95/p99 (n={len(dec)}, {permits} permits)",
            f"{d50:.0f} / {d95:.0f} / {d99:.0f} us",
            f"PK fetch p50 {f50:.0f} us Core, {r50:.0f} us driver",
            f"{d50 / f50:.1f}x Core, {d50 / r50:.0f}x driver", goal,
        )  # fmt: skip
    # the door, at the largest grant count
    sample = pairs[: args.door_samples]
    gate = Gate(engine, keyring, clock)
    direct = latencies(direct_read(engine), sample, warm=50)
    gated = latencies(gated_read(gate), sample, warm=50)
    (p50, p95, _), (q50, q95, _) = qs(direct), qs(gated)
    record(backend, g, "TXMOD direct p50/p95", f"{p50:.2f} / {p95:.2f} ms")
    record(
        backend, g, "TXMOD gated p50/p95 (append in txn)", f"{q50:.2f} / {q95:.2f} ms",
        f"direct p50 {p50:.2f} ms", f"{q50 / p50:.1f}x",
    )  # fmt: skip
    if args.profile:
        profile(gated_read(gate), sample[: args.profile], f"{backend}, append in transaction")
    if backend != "postgresql":
        return
    with GroupCommitter(engine, keyring) as committer:
        grouped = Gate(engine, keyring, clock, committer)
        gated_grp = gated_read(grouped)
        lat = latencies(gated_read(grouped), sample, warm=50)
        r50, r95, _ = qs(lat)
        record(
            backend, g, "TXMOD gated p50/p95 (group commit, 1 thread)",
            f"{r50:.2f} / {r95:.2f} ms", f"direct p50 {p50:.2f} ms", f"{r50 / p50:.1f}x",
        )  # fmt: skip
        t, s = args.threads, args.seconds
        base = saturate("direct saturation", direct_read(engine), pairs, t, s)
        plain = saturate("gated saturation, no group commit", gated_read(gate), pairs, t, s)
        grp = saturate("gated saturation, group commit", gated_read(grouped), pairs, t, s)
        record(backend, g, f"direct saturation ({t} threads)", f"{base:,.0f} req/s")
        record(
            backend, g, f"gated saturation, no group commit ({t} threads)", f"{plain:,.0f} req/s",
            f"direct {base:,.0f} req/s", f"{plain / base:.2f}",
        )  # fmt: skip
        ok = grp / base >= GOAL_SATURATION_RATIO
        record(
            backend, g, f"gated saturation, group commit ({t} threads)", f"{grp:,.0f} req/s",
            f"direct {base:,.0f} req/s", f"{grp / base:.2f}", verdict(ok, ">= 0.33"),
        )  # fmt: skip
        rate, w = args.rate, args.workers
        for name, fn in (("direct", direct_read(engine)), ("gated, group commit", gated_grp)):
            (o50, o95, o99), got, done, n = open_loop(name, fn, pairs, rate, s, w)
            goal = verdict(o95 <= GOAL_P95_MS, f"p95 <= {GOAL_P95_MS:.0f} ms")
            record(
                backend, g, f"{name} @ {rate:.0f}/s offered, p50/p95/p99 from scheduled start",
                f"{o50:.2f} / {o95:.2f} / {o99:.2f} ms", f"done {done:,}/{n:,}, {got:,.0f}/s",
                "", goal if name != "direct" else "",
            )  # fmt: skip


# -- main ----------------------------------------------------------------------------------
def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--grants", default="10000,1000000", help="grant counts, ascending")
    p.add_argument("--taxpayers", type=int, default=20_000)
    p.add_argument("--staff", type=int, default=2_000)
    p.add_argument("--samples", type=int, default=2_000, help="decisions timed per grant count")
    p.add_argument("--door-samples", type=int, default=1_000, help="single-thread TXMOD reads")
    p.add_argument("--seconds", type=float, default=10.0, help="per saturation / open-loop run")
    p.add_argument("--threads", type=int, default=12, help="closed-loop threads (saturation)")
    p.add_argument("--workers", type=int, default=32, help="pool of the open-loop load")
    p.add_argument("--rate", type=float, default=500.0, help="offered gated requests/s")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--own-pg", action="store_true", help="start a PostgreSQL with default fsync")
    p.add_argument("--profile", type=int, default=0, help="cProfile N gated requests")
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench database")
    p.add_argument("--quick", action="store_true", help="small smoke run (~1 minute)")
    args = p.parse_args()
    if args.quick:
        args.grants, args.taxpayers, args.staff = "10000,50000", 2_000, 200
        args.samples, args.door_samples, args.seconds = 400, 200, 2.0
    args.grants = sorted(int(x) for x in str(args.grants).split(","))
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    return args


def machine() -> str:
    """The machine, and how busy it is now: load, CPU pressure (PSI), and a pure-Python
    yardstick (best of 5 runs of sum(range(10**6)); ~10-15 ms on an idle modern core)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    stick = []
    for _ in range(5):
        t0 = time.perf_counter()
        sum(range(10**6))
        stick.append((time.perf_counter() - t0) * 1e3)
    try:
        psi = Path("/proc/pressure/cpu").read_text().split()[2].removeprefix("avg60=") + "%"
    except OSError:
        psi = "n/a"
    return (
        f"nproc={cpus}  load average {load}  CPU pressure (some, 60 s) {psi}  "
        f"yardstick {min(stick):.1f} ms  Python {platform.python_version()}  "
        f"SQLAlchemy {sqlalchemy.__version__}  "
        f"{platform.system()} {platform.release()} {platform.machine()}"
    )


def main() -> int:
    args = parse()
    console.rule("IDRS access benchmark")
    console.print(machine())
    keyring = Keyring.generate()
    with ExitStack() as stack:
        for backend in args.backends:
            if backend == "sqlite":
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="idrs-bench-"))
                engine = make_engine(f"sqlite:///{folder}/bench.db")
            else:
                url = os.environ.get("IDRS_BENCH_PG_URL") or os.environ.get("IDRS_TEST_PG_URL")
                if args.own_pg:
                    url = stack.enter_context(own_postgres())
                if not url:
                    console.print("[yellow]no PostgreSQL (IDRS_BENCH_PG_URL / --own-pg): skipped")
                    continue
                engine = pg_database(url, args.threads, args.workers)
            try:
                run_backend(backend, engine, args, keyring)
            finally:
                engine.dispose()
                if backend != "sqlite" and not args.keep:
                    admin = make_engine(url, isolation_level="AUTOCOMMIT")
                    with admin.connect() as conn:
                        conn.execute(text("DROP DATABASE IF EXISTS idrs_bench_access WITH (FORCE)"))
                    admin.dispose()
    table = Table(title="IDRS access benchmark — figures, floors measured in the same run, goals")
    for col in ("backend", "grants", "measure", "figure", "floor", "ratio", "goal"):
        table.add_column(col, overflow="fold")
    for row in RESULTS:
        table.add_row(*row)
    console.print(table)
    console.print(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
