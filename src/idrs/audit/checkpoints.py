"""Issuing, storing and serving signed checkpoints, and the witness file outside the database.

Why checkpoints: stored node hashes prove nothing to someone who does not trust the database.
A checkpoint is a C2SP signed note binding a tree size to its root under the log's Ed25519 key
(``keyring.signing_key``, named ``keyring.log_name``); anyone with the verifier key can check
proofs against it offline, and a later checkpoint must be consistent with every earlier one.

Why a witness file: a DBA who restores an old backup rolls back entries *and* checkpoints
together, leaving a store that is consistent with itself. The latest checkpoint is therefore
also written outside the database (``settings.checkpoint_path``; copy it further — to another
host, a ticket, a printed page — for stronger guarantees). It only ever moves forward: we
refuse to replace it with a smaller tree or one that is not an extension of it, and
:func:`idrs.audit.check.verify_store` reports a store that is behind it.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Row, insert, select
from sqlalchemy.engine import Connection

from idrs.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    Verifier,
    open_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    verifier_key,
)
from idrs.audit.events import AuditError
from idrs.audit.log import lock_log
from idrs.audit.merkle import ProofError, verify_consistency
from idrs.audit.store_proofs import consistency_proof, root_at, tree_size
from idrs.audit.tables import audit_checkpoints
from idrs.clock import Clock
from idrs.store.keyring import Keyring

_log = logging.getLogger(__name__)


class WitnessError(AuditError):
    """The witness file disagrees with the database (rolled back, forked, or unreadable)."""


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str
    issued_at: datetime


def verifier_key_text(keyring: Keyring) -> str:
    """The log's public key in C2SP verifier-key form (``name+hex8+base64``)."""
    return verifier_key(keyring.log_name, keyring.signing_key.public_key())


def verifier_for(keyring: Keyring) -> Verifier:
    return parse_verifier_key(verifier_key_text(keyring))


def sign(keyring: Keyring, size: int, root: bytes) -> str:
    """The signed note for a tree head of this log."""
    cp = Checkpoint(keyring.log_name, size, root)
    return sign_checkpoint(cp, keyring.log_name, keyring.signing_key)


def _row(row: Row[Any, Any, Any, Any]) -> StoredCheckpoint:
    return StoredCheckpoint(int(row.size), bytes(row.root), str(row.note), row.issued_at)


_COLS = (
    audit_checkpoints.c.size,
    audit_checkpoints.c.root,
    audit_checkpoints.c.note,
    audit_checkpoints.c.issued_at,
)


def latest_checkpoint(conn: Connection) -> StoredCheckpoint | None:
    row = conn.execute(select(*_COLS).order_by(audit_checkpoints.c.size.desc()).limit(1)).first()
    return None if row is None else _row(row)


def checkpoint_at(conn: Connection, size: int) -> StoredCheckpoint | None:
    row = conn.execute(select(*_COLS).where(audit_checkpoints.c.size == size)).first()
    return None if row is None else _row(row)


def checkpoint_before(conn: Connection, size: int) -> StoredCheckpoint | None:
    """The largest stored checkpoint strictly smaller than ``size``."""
    row = conn.execute(
        select(*_COLS)
        .where(audit_checkpoints.c.size < size)
        .order_by(audit_checkpoints.c.size.desc())
        .limit(1)
    ).first()
    return None if row is None else _row(row)


def issue_checkpoint(conn: Connection, keyring: Keyring, clock: Clock) -> StoredCheckpoint:
    """Sign and store a checkpoint of the log as it stands in ``conn``'s transaction.

    Idempotent per size. Commit before publishing the note anywhere (see
    :func:`checkpoint_now`), so a rolled-back transaction never leaves a signed head behind.
    """
    lock_log(conn)
    size = tree_size(conn)
    existing = checkpoint_at(conn, size)
    if existing is not None:
        return existing
    root = root_at(conn, size)
    cp = StoredCheckpoint(size, root, sign(keyring, size, root), clock.now())
    conn.execute(
        insert(audit_checkpoints).values(
            size=cp.size, root=cp.root, note=cp.note, issued_at=cp.issued_at
        )
    )
    return cp


def read_witness(path: Path, verifier: Verifier) -> Checkpoint | None:
    """The checkpoint in the witness file, signature checked; ``None`` if there is no file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WitnessError(f"audit: witness {path}: cannot read ({exc})") from exc
    try:
        return open_checkpoint(data, verifier)
    except CheckpointError as exc:
        raise WitnessError(f"audit: witness {path}: {exc}") from exc


def write_witness(path: Path, note: str) -> None:
    """Atomically replace the witness file: temp file, fsync, rename, fsync the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(note)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def check_against_witness(conn: Connection, witness: Checkpoint, size: int, root: bytes) -> None:
    """Raise :class:`WitnessError` unless the tree (size, root) extends ``witness``."""
    if witness.size > size:
        raise WitnessError(
            f"audit: the witness checkpoint has {witness.size} entries but the database only "
            f"{size}: the database was rolled back"
        )
    try:
        proof = consistency_proof(conn, witness.size, size)
        verify_consistency(witness.size, size, proof, witness.root_hash, root)
    except ProofError as exc:
        msg = f"audit: the log does not extend the witness checkpoint ({exc})"
        raise WitnessError(msg) from exc


def checkpoint_now(
    engine: Engine, keyring: Keyring, clock: Clock, witness_path: Path
) -> StoredCheckpoint:
    """Issue and commit a checkpoint, check it extends the witness, then advance the witness."""
    verifier = verifier_for(keyring)
    witness = read_witness(witness_path, verifier)
    with engine.begin() as conn:
        cp = issue_checkpoint(conn, keyring, clock)
        if witness is not None:
            check_against_witness(conn, witness, cp.size, cp.root)
    if witness is None or witness.size < cp.size:
        write_witness(witness_path, cp.note)
    return cp


@dataclass
class CheckpointPolicy:
    """Issue a checkpoint every ``every_entries`` entries or ``every_seconds`` seconds."""

    every_entries: int = 1000
    every_seconds: float = 60.0

    def due(self, last_size: int, last_time: float, size: int, now: float) -> bool:
        if size <= last_size:
            return False
        return size - last_size >= self.every_entries or now - last_time >= self.every_seconds


class Checkpointer:
    """Applies a :class:`CheckpointPolicy`.

    Pass :meth:`after_commit` to a :class:`~idrs.audit.log.GroupCommitter` for the "every N
    entries" half; :meth:`start` runs a timer thread for the "every T seconds" half, so entries
    written just before the log goes quiet are still signed within T seconds.
    """

    def __init__(
        self,
        engine: Engine,
        keyring: Keyring,
        clock: Clock,
        witness_path: Path,
        policy: CheckpointPolicy | None = None,
    ) -> None:
        self.engine, self.keyring, self.clock = engine, keyring, clock
        self.witness_path = witness_path
        self.policy = policy or CheckpointPolicy()
        with engine.connect() as conn:
            last = latest_checkpoint(conn)
        self.last_size = 0 if last is None else last.size
        self.last_time = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_commit(self, size: int) -> StoredCheckpoint | None:
        """Issue a checkpoint if the policy says one is due at ``size``."""
        with self._lock:
            if self.policy.due(self.last_size, self.last_time, size, time.monotonic()):
                return self._issue()
        return None

    def tick(self) -> StoredCheckpoint | None:
        """Check the policy against the log's current size."""
        with self.engine.connect() as conn:
            size = tree_size(conn)
        return self.after_commit(size)

    def issue(self) -> StoredCheckpoint:
        """Issue one now, whatever the policy says."""
        with self._lock:
            return self._issue()

    def _issue(self) -> StoredCheckpoint:
        cp = checkpoint_now(self.engine, self.keyring, self.clock, self.witness_path)
        self.last_size, self.last_time = cp.size, time.monotonic()
        return cp

    def start(self) -> None:
        """Run :meth:`tick` every ``policy.every_seconds`` on a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="audit-cp", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.policy.every_seconds):
            try:
                self.tick()
            except Exception:  # keep ticking; verify shows a log that is not being signed
                _log.exception("audit: periodic checkpoint failed")
