"""Appending in the caller's transaction, serialisation, and group commit (both engines)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from idrs.audit import merkle
from idrs.audit.checkpoints import Checkpointer, CheckpointPolicy, latest_checkpoint
from idrs.audit.encoding import unseal
from idrs.audit.events import Event, Tag, decode_leaf, system_event
from idrs.audit.log import GroupCommitter, append, append_many
from idrs.audit.store_proofs import root_at, tree_size
from idrs.audit.tables import audit_entries, audit_nodes, audit_sealed
from idrs.clock import FixedClock
from idrs.errors import InvalidInput
from idrs.store.keyring import Keyring
from idrs.store.tables.meta import db_meta
from tests.conftest import TestDb

AT = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)


def _event(n: int, **kw: object) -> Event:
    return system_event(Tag.BATCH_JOB_RUN, {"n": n, **kw}, at=AT)


def _leaf_hashes(conn: Connection) -> list[bytes]:
    rows = conn.execute(select(audit_entries.c.leaf).order_by(audit_entries.c.idx))
    return [merkle.leaf_hash(bytes(leaf)) for (leaf,) in rows]


def _node_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_nodes)).scalar_one())


def test_append_gives_dense_indexes_full_subtrees_and_sealed_detail(
    db: TestDb, keyring: Keyring
) -> None:
    sealed = replace(_event(10), sealed={"operator_name": "Pat Example"})
    with db.engine.begin() as conn:
        got = [append(conn, _event(i), keyring=keyring) for i in range(10)]
        got.append(append(conn, sealed, keyring=keyring))
    assert got == list(range(11))
    with db.engine.connect() as conn:
        hashes = _leaf_hashes(conn)
        assert tree_size(conn) == 11
        # 2n - popcount(n) full subtrees, levels 0 and up
        assert _node_count(conn) == 2 * 11 - bin(11).count("1")
        stored = dict(
            ((lv, i), bytes(h))
            for lv, i, h in conn.execute(
                select(audit_nodes.c.level, audit_nodes.c.idx, audit_nodes.c.hash)
            )
        )
        for (level, idx), digest in stored.items():
            assert digest == merkle.full_subtree_root(level, idx, hashes)
        assert root_at(conn, 11) == merkle.root(hashes)
        when = conn.execute(select(audit_entries.c.recorded_at).where(audit_entries.c.idx == 3))
        assert when.scalar() == AT
        blobs = conn.execute(select(audit_sealed.c.idx, audit_sealed.c.blob)).all()
        leaf = conn.execute(select(audit_entries.c.leaf).where(audit_entries.c.idx == 10)).scalar()
    assert [idx for idx, _ in blobs] == [10]
    assert unseal(keyring, bytes(blobs[0][1])) == {"operator_name": "Pat Example"}
    assert b"Pat Example" not in bytes(leaf)


def test_rolled_back_append_leaves_nothing_and_the_index_is_reused(
    db: TestDb, keyring: Keyring
) -> None:
    with db.engine.begin() as conn:
        append_many(conn, [_event(i) for i in range(3)], keyring=keyring)
    with db.engine.connect() as conn:
        before = _node_count(conn)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.engine.begin() as conn:
        conn.execute(insert(db_meta).values(key="written-with-audit", value="x"))
        assert append(conn, _event(99), keyring=keyring) == 3
        assert tree_size(conn) == 4  # visible inside the transaction
        raise Boom
    with db.engine.connect() as conn:
        assert tree_size(conn) == 3
        assert _node_count(conn) == before
        assert (
            conn.execute(select(db_meta).where(db_meta.c.key == "written-with-audit")).all() == []
        )
    with db.engine.begin() as conn:
        assert append(conn, _event(4), keyring=keyring) == 3
    with db.engine.connect() as conn:
        hashes = _leaf_hashes(conn)
        leaf = conn.execute(select(audit_entries.c.leaf).where(audit_entries.c.idx == 3)).scalar()
        assert decode_leaf(bytes(leaf))["detail"] == {"n": 4}
        assert root_at(conn, 4) == merkle.root(hashes)


def test_append_many_is_ordered_and_matches_the_reference_tree(
    db: TestDb, keyring: Keyring
) -> None:
    with db.engine.begin() as conn:
        assert append_many(conn, [], keyring=keyring) == []
        assert append_many(conn, [_event(i) for i in range(5)], keyring=keyring) == [0, 1, 2, 3, 4]
        assert append_many(conn, [_event(i) for i in range(5, 21)], keyring=keyring) == list(
            range(5, 21)
        )
    with db.engine.connect() as conn:
        hashes = _leaf_hashes(conn)
        for size in range(22):
            assert root_at(conn, size) == merkle.root(hashes[:size])
        details = [
            decode_leaf(bytes(leaf))["detail"]["n"]
            for (leaf,) in conn.execute(select(audit_entries.c.leaf).order_by(audit_entries.c.idx))
        ]
    assert details == list(range(21))


def test_concurrent_transactions_are_serialised(db: TestDb, keyring: Keyring) -> None:
    got: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        try:
            for i in range(6):
                with db.engine.begin() as conn:
                    idx = append(conn, _event(i, thread=t), keyring=keyring)
                with lock:
                    got.append(idx)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sorted(got) == list(range(24))
    with db.engine.connect() as conn:
        assert root_at(conn, 24) == merkle.root(_leaf_hashes(conn))


def test_group_commit_gives_each_caller_its_own_durable_index(db: TestDb, keyring: Keyring) -> None:
    results: dict[tuple[int, int], int] = {}
    lock = threading.Lock()
    with GroupCommitter(db.engine, keyring, max_batch=16) as gc:

        def worker(t: int) -> None:
            for i in range(25):
                idx = gc.append(_event(i, thread=t))
                with db.engine.connect() as conn:  # committed before we were told
                    assert tree_size(conn) > idx
                with lock:
                    results[(t, i)] = idx

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert sorted(results.values()) == list(range(200))
    with db.engine.connect() as conn:
        leaves = dict(conn.execute(select(audit_entries.c.idx, audit_entries.c.leaf)).all())
        for (t, i), idx in results.items():
            assert decode_leaf(bytes(leaves[idx]))["detail"] == {"n": i, "thread": t}
        assert root_at(conn, 200) == merkle.root(_leaf_hashes(conn))


def test_group_commit_failure_reaches_every_caller_in_the_batch(
    db: TestDb, keyring: Keyring
) -> None:
    with db.engine.begin() as conn:
        append(conn, _event(0), keyring=keyring)
        # a stray node where the next leaf's node must go makes the next commit fail
        conn.execute(insert(audit_nodes).values(level=0, idx=1, hash=b"\x00" * 32))
    with GroupCommitter(db.engine, keyring) as gc:
        futures = [gc.submit(_event(i)) for i in range(5)]
        for fut in futures:
            with pytest.raises(IntegrityError):
                fut.result(timeout=30)
    with pytest.raises(IntegrityError), db.engine.begin() as conn:  # a big batch fails alike
        append_many(conn, [_event(i) for i in range(60)], keyring=keyring)
    with db.engine.connect() as conn:
        assert tree_size(conn) == 1
    # a bad event is refused in the caller's thread, before it reaches the writer
    with GroupCommitter(db.engine, keyring) as gc, pytest.raises(InvalidInput):
        gc.submit(system_event(Tag.SYSTEM_DB_INIT, {"x": "123-45-6789"}))
    with pytest.raises(RuntimeError, match="closed"):
        gc.submit(_event(1))


def test_checkpointer_issues_every_n_entries_after_group_commits(
    db: TestDb, keyring: Keyring, tmp_path: Path
) -> None:
    clock = FixedClock(ZoneInfo("UTC"), AT)
    witness = tmp_path / "cp.txt"
    cps = Checkpointer(
        db.engine, keyring, clock, witness, CheckpointPolicy(every_entries=10, every_seconds=3600)
    )
    with GroupCommitter(db.engine, keyring, max_batch=4, after_commit=cps.after_commit) as gc:
        for i in range(25):
            gc.append(_event(i))
    with db.engine.connect() as conn:
        latest = latest_checkpoint(conn)
        sizes = [int(s) for (s,) in conn.execute(text("SELECT size FROM audit_checkpoints"))]
    assert latest is not None and latest.size >= 20
    assert all(s >= 10 for s in sizes) and len(sizes) >= 2
    assert witness.read_text() == latest.note
    assert cps.tick() is None  # nothing due until 10 more entries or an hour
    assert CheckpointPolicy(every_entries=10, every_seconds=5).due(0, 0.0, 3, 6.0)
    assert not CheckpointPolicy(every_entries=10, every_seconds=5).due(3, 0.0, 3, 60.0)
    # the timer half: entries written just before the log goes quiet are signed within T
    timed = Checkpointer(
        db.engine,
        keyring,
        clock,
        witness,
        CheckpointPolicy(every_entries=10**6, every_seconds=0.05),
    )
    with db.engine.begin() as conn:
        append(conn, _event(99), keyring=keyring)
    timed.start()
    try:
        deadline = time.monotonic() + 20
        while timed.last_size != 26 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        timed.stop()
    assert timed.last_size == 26
    with db.engine.connect() as conn:
        assert latest_checkpoint(conn).size == 26  # type: ignore[union-attr]
