"""Benchmark: TXMOD latency through the gate on a large taxpayer database, p50/p95/p99.

One revenue agent holds case grants on a sample of the population; for a random sample of those
TINs, each of these paths is timed, interleaved in random order per TIN so that all see the same
cache state (hot cache: a warm-up pass reads every sampled TIN first):

* direct        the floor: the reads TXMOD needs, straight from the store functions, in one
                connection (taxpayer by TIN blind index with name and address decrypted, the
                module, its postings, its pending transactions); no decision, audit or screen;
* direct, all   the same plus the other store reads TXMOD makes (controls, status history,
                holds), so the gap to it is the gate's own cost and not TXMOD's extra reads;
* gated         ``Terminal.run("TXMODA<tin> 30 202412")`` and the 80-column screen drawn: parse,
                resolve, decide, read, audit append in the transaction, commit, render;
* gated, group  the same with the audit entry appended through a ``GroupCommitter``.

The population is written once per database and reused: ``--db PATH`` keeps the SQLite file
(and ``--keep`` the PostgreSQL database ``idrs_bench_lookup_<N>``) with a marker row saying
what it holds. SQLite is not ANALYZEd, as the project runs it (the module look-ups are two
index probes, so statistics would not turn them into scans). The
bench keyring is derived from fixed labels, so a cached database is readable
by the next run; it protects nothing (synthetic data only).

    .venv/bin/python bench/lookup.py --taxpayers 2000 --samples 50          # smoke, < 1 minute
    .venv/bin/python bench/lookup.py                                        # 100,000, SQLite
    .venv/bin/python bench/lookup.py --taxpayers 1000000 --db /tmp/lookup-1m.db
    scripts/with-postgres.sh .venv/bin/python bench/lookup.py               # + that server
    .venv/bin/python bench/lookup.py --own-pg                   # + own server, default fsync
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.table import Table
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.engine import make_url

from _access_data import CHUNK, NOW, PERIOD, own_postgres, ssn, write_population
from access import console, machine, pct, progress, server_notes
from idrs.access.tables import grants
from idrs.audit.log import GroupCommitter
from idrs.audit.tables import audit_entries
from idrs.clock import FixedClock
from idrs.commands.run import Terminal
from idrs.gate import Gate, Session
from idrs.settings import Settings
from idrs.store.accounts import controls_of, holds_of, pending_of, status_history
from idrs.store.crypto import Vault
from idrs.store.engine import make_engine
from idrs.store.keyring import BLIND_INDEX_PURPOSES, Keyring
from idrs.store.migrate import upgrade
from idrs.store.summary import meta_value, set_meta
from idrs.store.taxpayers import find_by_tin, modules_of, postings_of

ZONE = ZoneInfo("America/New_York")
AGENT, GRANTOR, STAFF = 1, 2, 2  # staff 1 (ra1) holds the grants, staff 2 gave them
MARKER = "bench.lookup"
MFT = 30
Lookup = Callable[[str], object]  # one timed look-up, given the TIN as typed
ROWS: list[tuple[str, ...]] = []


def bench_keyring() -> Keyring:
    """Fixed keys derived from public labels: a cached bench database stays readable."""
    key = lambda label: hashlib.sha256(f"idrs-bench-lookup/{label}".encode()).digest()  # noqa: E731
    return Keyring(
        master_key=key("master"),
        blind_index_keys={p: key(f"blind/{p}") for p in BLIND_INDEX_PURPOSES},
        audit_key=key("audit"),
        audit_payload_key=key("audit-payload"),
        signing_key_raw=key("signing"),
        log_name="idrs.example/bench-lookup",
    )


def tin(tid: int) -> str:
    d = ssn(tid)
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


# -- the database: built once, reused ------------------------------------------------------
class Db:
    """The bench database of one backend: ``engine``; ``reset`` empties it; ``close``."""

    def __init__(self, sqlite: Path | None = None, admin_url: str = "", name: str = "") -> None:
        self.sqlite, self.name = sqlite, name
        self.admin = None if sqlite else make_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.url = (
            f"sqlite:///{sqlite}"
            if sqlite
            else make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        )
        if self.admin is not None:
            self._create(drop=False)
        self.engine = self._connect()

    def _connect(self) -> Engine:
        if self.sqlite:
            return make_engine(self.url)
        return make_engine(self.url, connect_args={"options": "-c synchronous_commit=on"})

    def _create(self, drop: bool) -> None:
        assert self.admin is not None
        with self.admin.connect() as conn:
            if drop:
                conn.execute(text(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"))
            there = conn.execute(
                text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": self.name}
            ).scalar()
            if not there:
                conn.execute(text(f"CREATE DATABASE {self.name}"))

    def reset(self) -> Engine:
        self.engine.dispose()
        if self.sqlite:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite}{suffix}").unlink(missing_ok=True)
        else:
            self._create(drop=True)
        self.engine = self._connect()
        return self.engine

    def close(self, keep: bool) -> None:
        self.engine.dispose()
        if self.admin is not None:
            if not keep:
                with self.admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"))
            self.admin.dispose()


def wanted(args: argparse.Namespace) -> dict[str, object]:
    return {"taxpayers": args.taxpayers, "granted": granted_count(args), "v": 1}


def granted_count(args: argparse.Namespace) -> int:
    return min(args.granted, args.taxpayers)


def marker(engine: Engine) -> dict[str, object] | None:
    """What a previous run wrote here (``{"state": "building"}`` if it did not finish)."""
    try:
        with engine.connect() as conn:
            value = meta_value(conn, MARKER)
    except Exception:  # no schema yet
        return None
    return None if value is None else dict(json.loads(value))


def has_tables(engine: Engine) -> bool:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            q = "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        else:
            q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        return bool(conn.execute(text(q)).scalar())


def build(engine: Engine, args: argparse.Namespace, keyring: Keyring) -> None:
    """Schema, population (5k taxpayers per transaction: memory stays flat), the agent's case
    grants on a random sample of taxpayers; the marker turns complete only at the end."""
    upgrade(engine)
    with engine.begin() as conn:
        set_meta(conn, MARKER, json.dumps({"state": "building"}))
    t0 = time.perf_counter()
    with progress("taxpayers", args.taxpayers) as tick:
        write_population(engine, keyring, args.taxpayers, STAFF, tick)
    took = time.perf_counter() - t0
    console.print(f"  wrote {args.taxpayers:,} taxpayers in {took:.0f} s")
    n = granted_count(args)
    ids = random.Random(11).sample(range(1, args.taxpayers + 1), n)
    with progress("case grants", n) as tick:
        for lo in range(0, n, CHUNK):
            rows = [
                {
                    "kind": "case", "holder_id": AGENT, "taxpayer_id": tid,
                    "starts_at": NOW - timedelta(days=30), "ends_at": NOW + timedelta(days=90),
                    "granted_by": GRANTOR, "reason": "bench", "created_at": NOW,
                }
                for tid in ids[lo : lo + CHUNK]
            ]  # fmt: skip
            with engine.begin() as conn:
                conn.execute(insert(grants), rows)
            tick(len(rows))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # as autovacuum would; SQLite: see the note
            conn.execute(text("ANALYZE"))
        set_meta(conn, MARKER, json.dumps({"state": "complete", **wanted(args)}))


def ensure(db: Db, args: argparse.Namespace, keyring: Keyring) -> Engine:
    """Reuse the database if its marker matches; rebuild one of ours; refuse anyone else's."""
    found = marker(db.engine)
    if found == {"state": "complete", **wanted(args)}:
        console.print(f"  reusing the cached population ({args.taxpayers:,} taxpayers)")
        return db.engine
    if found is None and has_tables(db.engine):
        raise SystemExit("the database holds tables but is not a lookup bench database: refused")
    if found is not None:
        console.print(f"  cached database holds {found}: rebuilding")
        db.reset()
    build(db.engine, args, keyring)
    return db.engine


def granted_tins(engine: Engine, k: int, seed: int) -> list[int]:
    """Up to ``k`` random taxpayers the agent holds a case grant on."""
    with engine.connect() as conn:
        ids = conn.execute(select(grants.c.taxpayer_id).where(grants.c.holder_id == AGENT)).all()
    pool = sorted(r.taxpayer_id for r in ids)
    return random.Random(seed).sample(pool, min(k, len(pool)))


def size_of(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            pages = conn.execute(text("PRAGMA page_count")).scalar() or 0
            size = pages * (conn.execute(text("PRAGMA page_size")).scalar() or 0)
        else:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        audit = conn.execute(select(func.count()).select_from(audit_entries)).scalar() or 0
    return f"{size / 2**20:,.0f} MiB, {audit:,} audit entries"


# -- the paths -----------------------------------------------------------------------------
def direct(engine: Engine, keyring: Keyring, everything: bool) -> Lookup:
    """The floor: TXMOD's reads with the store functions, no gate, no audit, no screen."""
    vault = Vault(keyring)
    today = NOW.astimezone(ZONE).date()

    def run(typed: str) -> object:
        with engine.connect() as conn:
            entity = find_by_tin(conn, vault, typed)
            assert entity is not None, typed
            module = next(
                m for m in modules_of(conn, entity.id) if (m.mft, m.tax_period) == (MFT, PERIOD)
            )
            out: list[object] = [entity, module, postings_of(conn, module.id)]
            out.append(pending_of(conn, module.id))
            if everything:
                out.append(controls_of(conn, entity.id))
                out.append(status_history(conn, module.id))
                out.append(holds_of(conn, module.id, today))
            return out

    return run


def gated(gate: Gate) -> Lookup:
    """The one door: ``Terminal.run`` (decide, read, audit, commit, render) and the screen."""
    session = Session(AGENT, "bench-lookup", "T01", NOW + timedelta(days=365))
    terminal = Terminal(gate, session, Settings(timezone=str(ZONE)))

    def run(typed: str) -> object:
        result = terminal.run(f"TXMODA{typed} {MFT} {PERIOD}")
        assert result.data.get("found"), typed
        return result.screen.text()

    return run


def measure(paths: dict[str, Lookup], tins: list[str], warm: int) -> dict[str, list[float]]:
    """Per TIN, every path once in a random order; the first ``warm`` TINs are not kept.
    Before that, one untimed direct read of every TIN, so each path meets a hot cache."""
    rng = random.Random(5)
    first = next(iter(paths.values()))
    with progress("warm-up reads", len(tins)) as tick:
        for t in tins:
            first(t)
            tick()
    out: dict[str, list[float]] = {name: [] for name in paths}
    names = list(paths)
    run = tins[:warm] + tins
    with progress("timed look-ups", len(run)) as tick:
        for i, t in enumerate(run):
            rng.shuffle(names)
            for name in names:
                t0 = time.perf_counter()
                paths[name](t)
                took = (time.perf_counter() - t0) * 1e3
                if i >= warm:
                    out[name].append(took)
            tick()
    return out


PHASES = (  # (file, function, label): where a gated TXMOD spends its time
    ("run.py", "run", "Terminal.run, all of it"),
    ("gate.py", "_resolve", "  resolve TIN and module (blind index)"),
    ("access_facts.py", "principal_facts", "  principal facts"),
    ("slice.py", "build_slice", "  decision slice (grants, target)"),
    ("decide.py", "decide", "  decide"),
    ("module.py", "run_txmod", "  TXMOD reads (store) and data"),
    ("gate.py", "_event", "  audit event built (canonical JSON)"),
    ("log.py", "append", "  audit append"),
    ("base.py", "commit", "  commit"),
    ("module.py", "render_txmod", "  render body"),
    ("screen.py", "text", "  80-column screen drawn"),
)


def profile(fn: Lookup, tins: list[str], label: str, top: int) -> None:
    """cProfile the gated path: the top functions by cumulative time, then the phases."""
    prof = cProfile.Profile()
    prof.enable()
    for t in tins:
        fn(t)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    console.rule(f"cProfile: {len(tins)} gated TXMOD look-ups, {label}, top {top} cumulative")
    body = buf.getvalue()
    start = body.find("   ncalls")  # drop pstats' preamble
    console.print(body[start if start >= 0 else 0 :].rstrip(), markup=False, highlight=False)
    table: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    table = stats.stats  # type: ignore[attr-defined]
    per = 1e3 / max(1, len(tins))
    total = sum(v[3] for (f, _, n), v in table.items() if (f, n) == PHASES[0][:2]) * per
    console.print(f"phases, ms per look-up under the profiler (cumulative, {label}):")
    for file, name, what in PHASES:
        ms = sum(v[3] for (f, _, n), v in table.items() if (f, n) == (file, name)) * per
        console.print(f"  {what:<40} {ms:7.2f}  {100 * ms / total if total else 0:5.1f}%")


# -- one backend ---------------------------------------------------------------------------
def run_backend(backend: str, db: Db, args: argparse.Namespace) -> None:
    keyring = bench_keyring()
    console.rule(f"{backend}: {server_notes(db.engine)}")
    engine = ensure(db, args, keyring)
    console.print(f"  database: {size_of(engine)}")
    ids = granted_tins(engine, args.samples + args.warm, seed=args.seed)
    tins = [tin(t) for t in ids]
    clock = FixedClock(ZONE, NOW)
    with ExitStack() as stack:
        paths: dict[str, Lookup] = {
            "direct": direct(engine, keyring, everything=False),
            "direct, all TXMOD reads": direct(engine, keyring, everything=True),
            "gated (audit in txn)": gated(Gate(engine, keyring, clock)),
        }
        if not args.no_group:
            committer = stack.enter_context(GroupCommitter(engine, keyring))
            paths["gated, group commit"] = gated(Gate(engine, keyring, clock, committer))
        lat = measure(paths, tins[args.warm :], min(args.warm, len(tins)))
        floor = {q: pct(lat["direct"], q) for q in (50, 95, 99)}
        for name, values in lat.items():
            p = {q: pct(values, q) for q in (50, 95, 99)}
            ratio = " / ".join(f"{p[q] / floor[q]:.1f}x" for q in (50, 99))
            row = (
                backend, f"{args.taxpayers:,}", name, f"{len(values):,}",
                f"{p[50]:.2f}", f"{p[95]:.2f}", f"{p[99]:.2f}",
                "floor" if name == "direct" else ratio,
            )  # fmt: skip
            ROWS.append(row)
            console.print(
                f"  {name}: p50/p95/p99 {p[50]:.2f} / {p[95]:.2f} / {p[99]:.2f} ms  {row[-1]}"
            )
        if args.profile:
            profile(paths["gated (audit in txn)"], tins[: args.profile], backend, args.top)


# -- main ----------------------------------------------------------------------------------
def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--taxpayers", type=int, default=100_000)
    p.add_argument("--granted", type=int, default=20_000, help="taxpayers the agent may see")
    p.add_argument("--samples", type=int, default=1_000, help="TINs timed on every path")
    p.add_argument("--warm", type=int, default=50, help="TINs timed but not kept, first")
    p.add_argument("--seed", type=int, default=1, help="which granted TINs are sampled")
    p.add_argument("--db", type=Path, help="SQLite file to build once and reuse")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--own-pg", action="store_true", help="start a PostgreSQL with default fsync")
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench database")
    p.add_argument("--no-group", action="store_true", help="skip the group-commit path")
    p.add_argument("--profile", type=int, default=200, help="cProfile N gated look-ups (0: off)")
    p.add_argument("--top", type=int, default=15, help="profile lines shown")
    args = p.parse_args()
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    return args


def main() -> int:
    args = parse()
    console.rule("IDRS TXMOD look-up benchmark")
    console.print(machine())
    with ExitStack() as stack:
        for backend in args.backends:
            if backend == "sqlite":
                path = args.db
                if path is None:
                    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="idrs-lookup-"))
                    path = Path(folder) / "bench.db"
                db = Db(sqlite=path)
            else:
                url = os.environ.get("IDRS_BENCH_PG_URL") or os.environ.get("IDRS_TEST_PG_URL")
                if args.own_pg:
                    url = stack.enter_context(own_postgres())
                if not url:
                    console.print("[yellow]no PostgreSQL (IDRS_TEST_PG_URL / --own-pg): skipped")
                    continue
                db = Db(admin_url=url, name=f"idrs_bench_lookup_{args.taxpayers}")
            try:
                run_backend(backend, db, args)
            finally:
                db.close(keep=args.keep)
    table = Table(title="TXMOD look-up latency (ms), floor = direct store reads, same run")
    for col in ("backend", "taxpayers", "path", "n", "p50", "p95", "p99", "vs direct p50 / p99"):
        table.add_column(col, overflow="fold")
    for row in ROWS:
        table.add_row(*row)
    console.print(table)
    console.print(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
