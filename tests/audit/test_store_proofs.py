"""Proofs and roots from stored subtree hashes equal the RFC 9162 reference, on both engines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from idrs.audit import merkle, store_proofs
from idrs.audit.events import Tag, system_event
from idrs.audit.log import append_many
from idrs.audit.store_proofs import (
    consistency_proof,
    inclusion_proof,
    inclusion_proofs,
    leaf_at,
    root_at,
    tree_size,
)
from idrs.audit.tables import audit_entries
from idrs.errors import InvalidInput
from idrs.store.engine import make_engine
from idrs.store.keyring import Keyring
from tests.conftest import TestDb

AT = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
N = 13


def _build(db: TestDb, keyring: Keyring, n: int = N) -> list[bytes]:
    with db.engine.begin() as conn:
        append_many(
            conn,
            [system_event(Tag.BATCH_JOB_RUN, {"n": i}, at=AT) for i in range(n)],
            keyring=keyring,
        )
        rows = conn.execute(select(audit_entries.c.leaf).order_by(audit_entries.c.idx))
        return [merkle.leaf_hash(bytes(leaf)) for (leaf,) in rows]


def test_stored_proofs_equal_the_reference_from_a_fresh_engine(
    db: TestDb, keyring: Keyring
) -> None:
    hashes = _build(db, keyring)
    fresh = make_engine(db.url)  # nothing cached: everything comes from stored rows
    try:
        with fresh.connect() as conn:
            assert tree_size(conn) == N
            for size in range(N + 1):
                assert root_at(conn, size) == merkle.root(hashes[:size])
                for m in range(size + 1):
                    assert consistency_proof(conn, m, size) == merkle.consistency_proof(
                        m, hashes[:size]
                    )
                for i in range(size):
                    assert inclusion_proof(conn, i, size) == merkle.inclusion_proof(
                        i, hashes[:size]
                    )
            batched = dict(inclusion_proofs(conn, range(N), N))
            assert batched == {i: merkle.inclusion_proof(i, hashes) for i in range(N)}
    finally:
        fresh.dispose()


def test_a_proof_is_one_fetch_of_at_most_2_log_n_nodes(
    db: TestDb, keyring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(db, keyring, 37)
    fetches: list[set[tuple[int, int]]] = []
    real = store_proofs.fetch_nodes

    def counting(conn: Connection, keys: Iterable[tuple[int, int]]) -> dict[Any, bytes]:
        fetches.append(set(keys))
        return real(conn, keys)

    statements: list[str] = []

    def record(conn: Connection, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    monkeypatch.setattr(store_proofs, "fetch_nodes", counting)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.engine.connect() as conn:
            statements.clear()
            proof = inclusion_proof(conn, 5, 37)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(fetches) == 1  # one query, by primary key
    assert len(fetches[0]) <= 2 * 6 + 1  # log2(37) < 6, plus the size probe
    assert all(key[0] >= 0 for key in fetches[0])
    assert statements == []  # nothing else: no tree-size query, no leaves
    assert len(proof) == 6


def test_a_proof_for_the_wrong_entry_or_size_never_verifies_and_ranges_are_checked(
    db: TestDb, keyring: Keyring
) -> None:
    hashes = _build(db, keyring, 12)
    roots = {s: merkle.root(hashes[:s]) for s in range(13)}
    with db.engine.connect() as conn:
        for size in range(1, 13):
            for i in range(size):
                proof = inclusion_proof(conn, i, size)
                merkle.verify_inclusion(hashes[i], i, size, proof, roots[size])
                for j in range(12):  # another entry at the same position
                    if hashes[j] != hashes[i]:
                        with pytest.raises(merkle.ProofError):
                            merkle.verify_inclusion(hashes[j], i, size, proof, roots[size])
                for other in range(i + 1, 13):  # the right entry, another signed size
                    if other != size:
                        with pytest.raises(merkle.ProofError):
                            merkle.verify_inclusion(hashes[i], i, other, proof, roots[other])
                for k in range(size):  # the right entry claimed at another index
                    if k != i:
                        with pytest.raises(merkle.ProofError):
                            merkle.verify_inclusion(hashes[i], k, size, proof, roots[size])

    # out-of-range requests are refused
    with db.engine.connect() as conn:
        with pytest.raises(InvalidInput, match="size"):
            root_at(conn, 13)
        with pytest.raises(InvalidInput, match="index"):
            inclusion_proof(conn, 12, 12)
        with pytest.raises(InvalidInput, match="index"):
            inclusion_proof(conn, -1, 12)
        with pytest.raises(InvalidInput, match="from"):
            consistency_proof(conn, 3, 2)
        with pytest.raises(InvalidInput, match="index"):
            leaf_at(conn, 12)
        with pytest.raises(InvalidInput):
            list(inclusion_proofs(conn, [0, 12], 12))
        assert root_at(conn, 0) == merkle.EMPTY_ROOT
