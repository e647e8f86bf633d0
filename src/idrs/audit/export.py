"""Export a range of the log with proofs, in the offline verifier's ``idrs-audit-export-v1``.

Why this shape: an export is what leaves the building — to an inspector general, to a court,
to cold storage. Each entry carries its inclusion proof against one signed checkpoint, and
optionally a consistency proof from an earlier checkpoint, so :mod:`idrs.audit.verify` can
check the file with nothing but the verifier key. It is written as a stream (entries and
proofs fetched a batch at a time), so exporting a year costs flat memory. See the retention
note in :mod:`idrs.audit.check`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.engine import Connection

from idrs.audit.checkpoints import StoredCheckpoint, checkpoint_at, latest_checkpoint
from idrs.audit.events import AuditError
from idrs.audit.store_proofs import consistency_proof, inclusion_proofs
from idrs.audit.tables import audit_entries
from idrs.audit.verify import consistency_line, entry_line, header_line
from idrs.errors import InvalidInput

_BATCH = 1024


@dataclass(frozen=True)
class ExportSummary:
    first: int
    end: int
    checkpoint_size: int
    consistency_from: int | None


def _plan(
    conn: Connection, first: int, end: int | None, consistency_from: int | None
) -> tuple[StoredCheckpoint, int, StoredCheckpoint | None]:
    cp = latest_checkpoint(conn)
    if cp is None:
        raise AuditError("audit: no checkpoint yet; run `idrs audit checkpoint` first")
    end = cp.size if end is None else end
    if not 0 <= end <= cp.size:
        raise InvalidInput("to", f"must be within 0..{cp.size} (the latest checkpoint)", end)
    if not 0 <= first <= end:
        raise InvalidInput("from", f"must be within 0..{end}", first)
    previous = None
    if consistency_from is not None:
        previous = checkpoint_at(conn, consistency_from)
        if previous is None or previous.size > cp.size:
            raise InvalidInput(
                "consistency_from", "must be the size of a stored checkpoint", consistency_from
            )
    return cp, end, previous


def write_export(
    conn: Connection,
    origin: str,
    out: TextIO,
    *,
    first: int = 0,
    end: int | None = None,
    consistency_from: int | None = None,
) -> ExportSummary:
    """Write entries ``first <= index < end`` (default: up to the latest checkpoint) to ``out``."""
    cp, end, previous = _plan(conn, first, end, consistency_from)
    out.write(header_line(origin, first, end, cp.note) + "\n")
    for start in range(first, end, _BATCH):
        stop = min(start + _BATCH, end)
        leaves = dict(
            conn.execute(
                select(audit_entries.c.idx, audit_entries.c.leaf).where(
                    audit_entries.c.idx >= start, audit_entries.c.idx < stop
                )
            ).all()
        )
        for index, proof in inclusion_proofs(conn, range(start, stop), cp.size):
            leaf = leaves.get(index)
            if leaf is None:
                raise AuditError(f"audit: entry {index} is missing; run `idrs audit verify`")
            out.write(entry_line(index, bytes(leaf), proof) + "\n")
    if previous is not None:
        proof = consistency_proof(conn, previous.size, cp.size)
        out.write(consistency_line(previous.size, proof, previous.note) + "\n")
    return ExportSummary(first, end, cp.size, None if previous is None else previous.size)


def export_to_file(
    conn: Connection,
    origin: str,
    path: Path,
    *,
    first: int = 0,
    end: int | None = None,
    consistency_from: int | None = None,
) -> ExportSummary:
    """:func:`write_export` into ``path`` atomically (a half-written export never appears)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            summary = write_export(
                conn, origin, fh, first=first, end=end, consistency_from=consistency_from
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return summary
