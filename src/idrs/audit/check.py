"""Full verification of a stored audit log: ``verify_store`` and ``idrs audit verify``.

Why recompute everything: stored node hashes and checkpoints are only evidence if someone
checks them against the entries. We stream the entries in aligned chunks (flat memory),
recompute every leaf hash and every full-subtree hash, compare each with its stored row,
recompute the root at every stored checkpoint's size, check each checkpoint's signature and
its consistency with the one before, and finally compare against the witness checkpoint kept
outside the database, which is what catches a database restored from an old backup. A
damaged store is reported, never a crash: each problem names the first leaf index it could
affect, and :attr:`Report.first_index` is the smallest of them.

Retention and cold storage. Nothing ever deletes audit entries: the tables refuse DELETE and
the tree needs every leaf. When a range grows old it moves to cold storage as an export
(``idrs audit export --from M --to N``): the entries with their inclusion proofs against a
signed checkpoint, plus a consistency proof from the previous archive's checkpoint, in the
``idrs-audit-export-v1`` format that :mod:`idrs.audit.verify` checks offline with only the
verifier key. Because each archive carries its checkpoint and proofs, it stays checkable on
its own for as long as the key is known, and together the archives chain into one
append-only history. The live database keeps the nodes (about 64 bytes a leaf) and the
checkpoints even if leaf bytes are one day moved out, so proofs for new entries and
consistency with archived checkpoints keep working.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from idrs.audit.check_tree import Problem, Report, TreeCheck, as_bytes
from idrs.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    Verifier,
    open_checkpoint,
    parse_verifier_key,
)
from idrs.audit.checkpoints import WitnessError, read_witness, verifier_for
from idrs.audit.merkle import ProofError, verify_consistency
from idrs.audit.store_proofs import consistency_proof, tree_size
from idrs.audit.tables import audit_checkpoints
from idrs.errors import IdrsError
from idrs.store.keyring import Keyring

__all__ = ["Problem", "Report", "verify_store"]


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read snapshot for the whole check, so concurrent appends are simply not seen."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
        return
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("BEGIN")  # pysqlite would not open a read transaction itself
        yield conn


def _verifier(key: Keyring | Verifier | str) -> Verifier:
    if isinstance(key, Keyring):
        return verifier_for(key)
    if isinstance(key, Verifier):
        return key
    return parse_verifier_key(key)


class _SignedHeads:
    """Checks stored checkpoints and the witness against the recomputed roots."""

    def __init__(self, conn: Connection, verifier: Verifier, tree: TreeCheck) -> None:
        self.conn, self.verifier = conn, verifier
        self.report, self.roots = tree.report, tree.roots
        self.good_size = 0  # largest checkpoint size whose root matched the entries

    def checkpoints(self, size: int) -> None:
        rep, conn = self.report, self.conn
        good_size, prev = 0, None  # largest checkpoint that matched the entries
        for row in conn.execute(
            select(
                audit_checkpoints.c.size, audit_checkpoints.c.root, audit_checkpoints.c.note
            ).order_by(audit_checkpoints.c.size)
        ):
            rep.checkpoints += 1
            cp = self._open(row.note, f"checkpoint at size {row.size}")
            if cp is None:
                continue
            if cp.size != row.size or cp.root_hash != as_bytes(row.root):
                rep.add(Problem("checkpoint", f"row at size {row.size} differs from its note"))
            if cp.size > size:
                msg = f"signed checkpoint has {cp.size} entries but the store only {size}"
                rep.add(Problem("checkpoint", msg, size))
                continue
            if self.roots.get(cp.size) != cp.root_hash:
                msg = f"root at size {cp.size} does not match the signed checkpoint"
                rep.add(Problem("checkpoint", msg, self._unexplained(good_size, cp.size)))
            else:
                good_size = cp.size
            if prev is not None:
                self._consistent(prev, cp)
            prev = cp
            rep.latest_checkpoint = cp.size
        self.good_size = good_size

    def _unexplained(self, good_size: int, size: int) -> int | None:
        """Index for a root that does not match: the change lies in [good_size, size), unless
        an entry or node problem already found below ``size`` explains it."""
        first = self.report.first_index
        return None if first is not None and first < size else good_size

    def _open(self, note: object, what: str) -> Checkpoint | None:
        try:
            cp = open_checkpoint(str(note), self.verifier)
        except CheckpointError as exc:
            self.report.add(Problem("checkpoint", f"{what}: {exc}"))
            return None
        if cp.origin != self.verifier.name:
            self.report.add(Problem("checkpoint", f"{what}: origin {cp.origin!r} is not this log"))
        return cp

    def _consistent(self, old: Checkpoint, new: Checkpoint) -> None:
        try:
            proof = consistency_proof(self.conn, old.size, new.size)
            verify_consistency(old.size, new.size, proof, old.root_hash, new.root_hash)
        except (ProofError, IdrsError) as exc:
            # the stored proof material is at fault (the node checks name where); if the
            # entries themselves differed, the root comparison above has said so
            msg = (
                f"checkpoints at {old.size} and {new.size}: stored consistency proof fails ({exc})"
            )
            self.report.add(Problem("checkpoint", msg))

    def witness(self, witness: Checkpoint, size: int) -> None:
        rep = self.report
        rep.witness_size = witness.size
        if witness.size > size:
            msg = f"witness checkpoint has {witness.size} entries but the store only {size}"
            rep.add(Problem("witness", msg + ": the database was rolled back", size))
        elif self.roots.get(witness.size) != witness.root_hash:
            msg = f"root at size {witness.size} does not match the witness checkpoint"
            rep.add(Problem("witness", msg, self._unexplained(self.good_size, witness.size)))


def _read_targets(conn: Connection) -> set[int]:
    return {int(s) for (s,) in conn.execute(select(audit_checkpoints.c.size))}


def verify_store(
    engine: Engine,
    key: Keyring | Verifier | str,
    witness_path: Path | None,
    *,
    chunk_level: int = 12,
) -> Report:
    """Check the whole stored log; ``key`` is the keyring, a Verifier or verifier-key text."""
    verifier = _verifier(key)
    witness: Checkpoint | None = None
    witness_problem: Problem | None = None
    if witness_path is not None:
        try:
            witness = read_witness(witness_path, verifier)
        except WitnessError as exc:
            witness_problem = Problem("witness", exc.message)
    with _snapshot(engine) as conn:
        rep = Report()
        try:
            size = tree_size(conn)
        except Exception as exc:  # e.g. a non-integer index smuggled into SQLite
            rep.add(Problem("store", f"cannot read the tree size ({exc})", 0))
            return rep
        tree = TreeCheck(conn, rep, chunk_level)
        tree.run(size, _read_targets(conn) | ({witness.size} if witness is not None else set()))
        heads = _SignedHeads(conn, verifier, tree)
        heads.checkpoints(size)
        if witness_problem is not None:
            rep.add(witness_problem)
        elif witness is not None:
            heads.witness(witness, size)
        elif witness_path is None:
            rep.notes.append("note: no witness file given; a rollback would not be detected")
        elif rep.checkpoints:
            msg = f"no witness file at {witness_path}; a rollback cannot be ruled out"
            rep.add(Problem("witness", msg))
        unsigned = size - heads.good_size
        if unsigned:
            rep.notes.append(f"note: {unsigned} entries after the last checkpoint are unsigned")
    return rep
