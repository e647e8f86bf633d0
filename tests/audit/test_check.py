"""Tamper evidence: whatever a DBA changes in the stored log, ``verify_store`` finds it and
names the first affected index. Runs on SQLite and PostgreSQL.

To play the DBA we first remove the append-only triggers (SQLite: DROP TRIGGER; PostgreSQL:
DISABLE TRIGGER ALL, as the superuser the test server runs as), exactly as a real one would.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import Connection

from idrs.audit.check import verify_store
from idrs.audit.checkpoints import WitnessError, checkpoint_now, verifier_key_text
from idrs.audit.events import Tag, system_event
from idrs.audit.log import append, append_many
from idrs.audit.merkle import node_hash, subtrees_completed_by
from idrs.audit.store_proofs import AuditStoreError, inclusion_proof
from idrs.audit.tables import (
    AUDIT_TABLES,
    audit_checkpoints,
    audit_entries,
    audit_nodes,
    audit_sealed,
)
from idrs.clock import FixedClock
from idrs.store.keyring import Keyring
from tests.conftest import TestDb

AT = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
N = 37
CHECKPOINTS = (8, 21, N)
ORDER = (audit_sealed, audit_entries, audit_nodes, audit_checkpoints)  # delete order (FK)


def _event(i: int) -> Any:
    e = system_event(Tag.BATCH_JOB_RUN, {"n": i}, at=AT)
    return replace(e, sealed={"who": f"reviewer note {i}"}) if i % 5 == 0 else e


def _unprotect(db: TestDb) -> None:
    with db.engine.begin() as conn:
        for table in AUDIT_TABLES:
            if db.backend == "sqlite":
                for op in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{op}"))
            else:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))


class Store:
    """A built log with checkpoints and a witness, restorable to its pristine state."""

    def __init__(self, db: TestDb, keyring: Keyring, witness: Path) -> None:
        self.db, self.keyring, self.witness = db, keyring, witness
        clock = FixedClock(ZoneInfo("UTC"), AT)
        for size in CHECKPOINTS:
            with db.engine.begin() as conn:
                done = conn.execute(select(audit_entries.c.idx)).all()
                append_many(conn, [_event(i) for i in range(len(done), size)], keyring=keyring)
            checkpoint_now(db.engine, keyring, clock, witness)
        self.witness_text = witness.read_text()
        with db.engine.connect() as conn:
            self.rows = {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in ORDER}
        _unprotect(db)

    def restore(self) -> None:
        with self.db.engine.begin() as conn:
            for table in ORDER:
                conn.execute(delete(table))
            for table in reversed(ORDER):
                conn.execute(insert(table), self.rows[table.name])
        self.witness.write_text(self.witness_text)

    def nodes(self) -> list[tuple[int, int]]:
        return sorted((r["level"], r["idx"]) for r in self.rows["audit_nodes"])

    def leaf(self, k: int) -> bytes:
        return bytes(next(r["leaf"] for r in self.rows["audit_entries"] if r["idx"] == k))

    def verify(self, chunk_level: int = 12) -> Any:
        return verify_store(self.db.engine, self.keyring, self.witness, chunk_level=chunk_level)


@pytest.fixture
def store(db: TestDb, keyring: Keyring, tmp_path: Path) -> Store:
    return Store(db, keyring, tmp_path / "witness.txt")


def _entry(conn: Connection, k: int, **values: object) -> None:
    conn.execute(update(audit_entries).where(audit_entries.c.idx == k).values(**values))


def _altered(leaf: bytes) -> bytes:
    return leaf.replace(b'"n":', b'"n":1')  # still valid JSON, a different event


def _tamper(s: Store, op: str, data: st.DataObject) -> int:
    """Apply one tampering; returns the first index verify must report."""
    k = data.draw(st.integers(0, N - 1), label="k")
    with s.db.engine.begin() as conn:
        if op == "leaf":
            _entry(conn, k, leaf=_altered(s.leaf(k)))
            return k
        if op == "leaf_and_hash":
            new = _altered(s.leaf(k))
            _entry(conn, k, leaf=new, leaf_hash=hashlib.sha256(b"\x00" + new).digest())
            return k
        if op == "leaf_hash":
            _entry(conn, k, leaf_hash=b"\x11" * 32)
            return k
        if op in ("node", "delete_node"):
            level, idx = data.draw(st.sampled_from(s.nodes()), label="node")
            where = (audit_nodes.c.level == level) & (audit_nodes.c.idx == idx)
            if op == "node":
                conn.execute(update(audit_nodes).where(where).values(hash=b"\x22" * 32))
            else:
                conn.execute(delete(audit_nodes).where(where))
            return idx << level
        if op == "delete_entry":
            conn.execute(delete(audit_sealed).where(audit_sealed.c.idx == k))
            conn.execute(delete(audit_entries).where(audit_entries.c.idx == k))
            return k
        if op == "swap":
            j = data.draw(st.integers(0, N - 1).filter(lambda j: j != k), label="j")
            lo, hi = sorted((j, k))
            by_idx = {r["idx"]: r for r in s.rows["audit_entries"]}
            for a, b in ((lo, hi), (hi, lo)):
                cols = {c: by_idx[b][c] for c in ("leaf", "leaf_hash", "tag", "actor", "taxpayer")}
                _entry(conn, a, **cols)
            return lo
        if op == "rollback":  # restore an old backup: entries, nodes and checkpoints together
            size = data.draw(st.integers(0, N - 1), label="size")
            conn.execute(delete(audit_sealed).where(audit_sealed.c.idx >= size))
            conn.execute(delete(audit_entries).where(audit_entries.c.idx >= size))
            for level, idx in s.nodes():
                if (idx + 1) << level > size:
                    where = (audit_nodes.c.level == level) & (audit_nodes.c.idx == idx)
                    conn.execute(delete(audit_nodes).where(where))
            conn.execute(delete(audit_checkpoints).where(audit_checkpoints.c.size > size))
            return size
        if op == "extra_entry":  # slipped in at the end, without its nodes
            leaf = _altered(s.leaf(k))
            row = {**s.rows["audit_entries"][0], "idx": N, "leaf": leaf}
            row["leaf_hash"] = hashlib.sha256(b"\x00" + leaf).digest()
            conn.execute(insert(audit_entries).values(**row))
            return N
        if op == "extra_node":
            level = data.draw(st.integers(0, 6), label="level")
            idx = (N >> level) + data.draw(st.integers(0, 3), label="beyond")
            conn.execute(insert(audit_nodes).values(level=level, idx=idx, hash=b"\x33" * 32))
            return min(idx << level, N)
        if op == "sealed_swap":
            blobs = {r["idx"]: r["blob"] for r in s.rows["audit_sealed"]}
            a, b = data.draw(st.permutations(sorted(blobs)), label="pair")[:2]
            conn.execute(update(audit_sealed).where(audit_sealed.c.idx == a).values(blob=blobs[b]))
            return a
    raise AssertionError(op)


OPS = (
    "leaf",
    "leaf_and_hash",
    "leaf_hash",
    "node",
    "delete_node",
    "delete_entry",
    "swap",
    "rollback",
    "extra_entry",
    "extra_node",
    "sealed_swap",
)


def test_an_untouched_store_verifies(store: Store) -> None:
    for chunk_level in (0, 2, 12):
        report = store.verify(chunk_level)
        assert report.ok, report.lines()
        assert (report.size, report.checkpoints, report.witness_size) == (N, 3, N)
        assert report.first_index is None


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(op=st.sampled_from(OPS), chunk_level=st.sampled_from((1, 2, 12)), data=st.data())
def test_any_tampering_is_found_at_the_right_first_index(
    store: Store, op: str, chunk_level: int, data: st.DataObject
) -> None:
    store.restore()
    expected = _tamper(store, op, data)
    report = store.verify(chunk_level)
    assert not report.ok
    assert report.first_index == expected, report.lines()


def test_a_consistent_rewrite_is_caught_by_the_signed_checkpoints(store: Store) -> None:
    """A DBA who rewrites entry 15 and recomputes every node: only signatures can tell."""
    store.restore()
    k = 15
    new = _altered(store.leaf(k))
    hashes = {(r["level"], r["idx"]): bytes(r["hash"]) for r in store.rows["audit_nodes"]}
    hashes[(0, k)] = hashlib.sha256(b"\x00" + new).digest()
    level, idx = 0, k
    while (level + 1, idx >> 1) in hashes:
        sibling = hashes[(level, idx ^ 1)]
        pair = (sibling, hashes[(level, idx)]) if idx & 1 else (hashes[(level, idx)], sibling)
        level, idx = level + 1, idx >> 1
        hashes[(level, idx)] = node_hash(*pair)
    with store.db.engine.begin() as conn:
        _entry(conn, k, leaf=new, leaf_hash=hashes[(0, k)])
        for (lv, i), h in hashes.items():
            where = (audit_nodes.c.level == lv) & (audit_nodes.c.idx == i)
            conn.execute(update(audit_nodes).where(where).values(hash=h))
    report = store.verify(2)
    assert not report.ok
    kinds = {p.kind for p in report.problems}
    assert kinds == {"checkpoint", "witness"}
    assert report.first_index == 8  # the last checkpoint that still matches


def test_forged_foreign_or_missing_checkpoints_are_reported(store: Store) -> None:
    store.restore()
    with store.db.engine.begin() as conn:
        note = conn.execute(
            select(audit_checkpoints.c.note).where(audit_checkpoints.c.size == 21)
        ).scalar_one()
        forged = note.replace("\n21\n", "\n22\n")
        conn.execute(
            update(audit_checkpoints).where(audit_checkpoints.c.size == 21).values(note=forged)
        )
    report = store.verify()
    assert not report.ok
    assert any("does not verify" in p.message for p in report.problems)
    store.restore()
    foreign = verify_store(store.db.engine, Keyring.generate(), store.witness)
    assert not foreign.ok and foreign.problem_count >= 4  # 3 checkpoints and the witness

    # the witness is required once checkpoints exist
    store.restore()
    store.witness.unlink()
    report = store.verify()
    assert not report.ok and any(p.kind == "witness" for p in report.problems)
    no_witness = verify_store(store.db.engine, store.keyring, None)
    assert no_witness.ok and any("rollback" in n for n in no_witness.notes)
    by_key_text = verify_store(store.db.engine, verifier_key_text(store.keyring), None)
    assert by_key_text.ok


def test_malformed_rows_are_reported_not_raised(store: Store) -> None:
    store.restore()
    with store.db.engine.begin() as conn:
        _entry(conn, 3, leaf_hash=b"short")
        conn.execute(
            update(audit_nodes)
            .where((audit_nodes.c.level == 1) & (audit_nodes.c.idx == 6))
            .values(hash=b"\x01\x02")
        )
        conn.execute(
            update(audit_checkpoints).where(audit_checkpoints.c.size == 8).values(note="garbage")
        )
        if store.db.backend == "sqlite":  # SQLite lets a DBA put text in a BLOB column
            conn.execute(text("UPDATE audit_entries SET leaf = 'plain text' WHERE idx = 30"))
    store.witness.write_text("not a checkpoint")
    report = store.verify(2)
    assert not report.ok
    assert report.first_index == 3
    messages = " | ".join(report.lines())
    assert "index 12" in messages and "witness" in messages
    if store.db.backend == "sqlite":
        assert "index 30: leaf is not bytes" in messages

    # and proofs that need a missing node fail loudly rather than returning garbage
    store.restore()
    with store.db.engine.begin() as conn:
        conn.execute(delete(audit_nodes).where(audit_nodes.c.level == 0))
    with store.db.engine.connect() as conn, pytest.raises(AuditStoreError, match="missing"):
        inclusion_proof(conn, 4, N)


def test_checkpoint_refuses_to_move_the_witness_back_after_a_rollback(
    db: TestDb, keyring: Keyring, tmp_path: Path
) -> None:
    witness = tmp_path / "w.txt"
    clock = FixedClock(ZoneInfo("UTC"), AT)
    with db.engine.begin() as conn:
        append_many(conn, [_event(i) for i in range(6)], keyring=keyring)
    first = checkpoint_now(db.engine, keyring, clock, witness)
    assert witness.read_text() == first.note
    assert checkpoint_now(db.engine, keyring, clock, witness) == first  # idempotent per size
    with db.engine.begin() as conn:
        append(conn, _event(6), keyring=keyring)
    cp7 = checkpoint_now(db.engine, keyring, clock, witness)
    assert cp7.size == 7 and witness.read_text() == cp7.note
    _unprotect(db)
    with db.engine.begin() as conn:  # restore a backup taken at size 6
        conn.execute(delete(audit_checkpoints).where(audit_checkpoints.c.size == 7))
        for level, idx in subtrees_completed_by(6):
            where = (audit_nodes.c.level == level) & (audit_nodes.c.idx == idx)
            conn.execute(delete(audit_nodes).where(where))
        conn.execute(delete(audit_entries).where(audit_entries.c.idx == 6))
    with pytest.raises(WitnessError, match="rolled back"):
        checkpoint_now(db.engine, keyring, clock, witness)
    with db.engine.begin() as conn:  # and a fork: a different entry 6
        append(conn, system_event(Tag.SYSTEM_DB_INIT, {"forged": True}, at=AT), keyring=keyring)
    with pytest.raises(WitnessError, match="does not extend"):
        checkpoint_now(db.engine, keyring, clock, witness)
    assert witness.read_text() == cp7.note
    assert not any(p.name.startswith(".w.txt") for p in tmp_path.iterdir())  # no temp files
