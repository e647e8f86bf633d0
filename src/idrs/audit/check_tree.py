"""Recomputing the tree from stored entries and comparing every stored row (for ``check``).

Why chunks: entries are read in aligned blocks of 2^k leaves, each block's full subtrees are
recomputed in memory and compared with the stored node rows of the same range, and only the
right edge of what came before (at most one hash per level) is carried over, so memory stays
flat however long the log. Lists are compared whole first: on an intact store that is the
only work, and the row-by-row path that names each problem runs only where something differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from idrs.audit.merkle import HASH_SIZE, leaf_hash, node_hash
from idrs.audit.store_proofs import fetch_nodes
from idrs.audit.tables import audit_entries, audit_nodes, audit_sealed

MAX_LISTED = 100
_ZERO = b"\x00" * HASH_SIZE


@dataclass(frozen=True)
class Problem:
    """One failed check; ``index`` is the first leaf it could affect (None: not about leaves)."""

    kind: str  # entry | node | sealed | checkpoint | witness | store
    message: str
    index: int | None = None

    def __str__(self) -> str:
        where = f"index {self.index}: " if self.index is not None else ""
        return f"{self.kind}: {where}{self.message}"


@dataclass
class Report:
    size: int = 0
    checkpoints: int = 0
    latest_checkpoint: int = 0
    witness_size: int | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    first_index: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)
        if problem.index is not None and (
            self.first_index is None or problem.index < self.first_index
        ):
            self.first_index = problem.index

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems]
        if self.problem_count > len(self.problems):
            out.append(f"... and {self.problem_count - len(self.problems)} more problem(s)")
        out.extend(self.notes)
        if self.ok:
            out.append(
                f"OK: {self.size} entries, {self.checkpoints} checkpoint(s), latest at "
                f"{self.latest_checkpoint}; witness at {self.witness_size}"
            )
        else:
            out.append(
                f"FAILED: {self.problem_count} problem(s); first affected index {self.first_index}"
            )
        return out


def as_bytes(value: object) -> bytes | None:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return None


def _hash(value: object) -> bytes | None:
    b = as_bytes(value)
    return b if b is not None and len(b) == HASH_SIZE else None


class TreeCheck:
    """Recomputes leaves and full subtrees chunk by chunk; records roots at ``targets``."""

    def __init__(self, conn: Connection, report: Report, chunk_level: int) -> None:
        self.conn, self.report = conn, report
        self.k = chunk_level
        # full subtrees covering [0, a): (level, idx, recomputed hash, stored row differs)
        self.frontier: list[tuple[int, int, bytes, bool]] = []
        self.roots: dict[int, bytes] = {}  # recomputed roots at the sizes asked for

    # -- leaves and nodes, one aligned chunk at a time ---------------------------------

    def run(self, size: int, targets: set[int]) -> None:
        self.report.size = size
        step = 1 << self.k
        for a in range(0, size, step):
            b = min(a + step, size)
            levels, dirty = self._chunk(a, b)
            for s in sorted(t for t in targets if a < t <= b):
                self.roots[s] = self._root(levels, a, s)
            if b - a == step:
                self._merge(levels[self.k][0], a >> self.k, dirty[self.k][0])
        if 0 in targets:
            self.roots[0] = hashlib.sha256(b"").digest()
        self._beyond(size)

    def _rows(self, sql: str, params: tuple[int, ...]) -> list[Any]:
        """Raw driver rows, on this connection and snapshot: the per-row cost of a SQLAlchemy
        Result would dominate the check."""
        mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        driver = self.conn.connection.driver_connection
        pg = self.conn.dialect.name == "postgresql"  # binary results: no hex-decoding bytea
        cursor = driver.cursor(binary=True) if pg else driver.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql.replace("?", mark), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _chunk(self, a: int, b: int) -> tuple[list[list[bytes]], list[list[bool]]]:
        """Recompute leaves [a, b) and their full subtrees; compare with the stored rows.

        A stored node that differs is *dirty*. It is reported only if nothing below it is
        (its entry, or a child node), so a bad entry is reported at its own index rather
        than at every ancestor's first leaf, and a bad node at its own position.
        """
        rows = self._rows(
            "SELECT idx, leaf, leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? "
            "ORDER BY idx",
            (a, b),
        )
        stored0 = self._stored_level(0, a, b - a)
        dense = self._dense(rows, a, b)
        leaf_hashes, bad_entry, leaves = dense or self._sparse(rows, a, b, stored0)
        levels = [leaf_hashes]
        dirty = [self._compare(0, a, leaf_hashes, stored0, bad_entry)]
        for level in range(1, self.k + 1):
            below, below_dirty = levels[-1], dirty[-1]
            pairs = range(0, len(below) - 1, 2)
            hashes = [node_hash(below[j], below[j + 1]) for j in pairs]
            explained = [below_dirty[j] or below_dirty[j + 1] for j in pairs]
            start = a >> level
            stored_level = self._stored_level(level, start, len(hashes))
            levels.append(hashes)
            dirty.append(self._compare(level, start, hashes, stored_level, explained))
        self._sealed(a, b, leaves)
        return levels, dirty

    def _dense(
        self, rows: list[Any], a: int, b: int
    ) -> tuple[list[bytes], list[bool], list[tuple[int, bytes]]] | None:
        """The usual case, checked a list at a time: every entry present, leaves are bytes."""
        if [r[0] for r in rows] != list(range(a, b)):
            return None
        try:
            hashes = [leaf_hash(r[1]) for r in rows]
        except TypeError:  # a leaf that is not bytes: let the slow path name it
            return None
        leaves = [(r[0], r[1]) for r in rows]
        if [r[2] for r in rows] == hashes:
            return hashes, [False] * len(rows), leaves
        bad = [_hash(r[2]) != h for r, h in zip(rows, hashes, strict=True)]
        for (idx, _, _), wrong in zip(rows, bad, strict=True):
            if wrong:
                self.report.add(Problem("entry", "stored leaf hash does not match the leaf", idx))
        return hashes, bad, leaves

    def _sparse(
        self, rows: list[Any], a: int, b: int, stored0: list[Any]
    ) -> tuple[list[bytes], list[bool], list[tuple[int, bytes]]]:
        """Entry by entry, naming every missing or malformed row."""
        rep = self.report
        by_idx = {r[0]: r[1] for r in stored0}
        leaf_hashes: list[bytes] = []
        bad_entry: list[bool] = []
        leaves: list[tuple[int, bytes]] = []
        expected = a

        def missing_until(stop: int) -> None:
            nonlocal expected
            while expected < stop:
                rep.add(Problem("entry", "entry is missing", expected))
                leaf_hashes.append(_hash(by_idx.get(expected)) or _ZERO)
                bad_entry.append(True)
                expected += 1

        for idx, leaf, stored in rows:
            if not isinstance(idx, int) or idx < expected:
                rep.add(Problem("entry", f"entry with malformed index {idx!r}", expected))
                continue
            missing_until(idx)
            expected += 1
            raw = as_bytes(leaf)
            if raw is None:
                rep.add(Problem("entry", "leaf is not bytes", idx))
                leaf_hashes.append(_hash(stored) or _ZERO)
                bad_entry.append(True)
                continue
            computed = leaf_hash(raw)
            leaf_hashes.append(computed)
            leaves.append((idx, raw))
            bad = _hash(stored) != computed
            if bad:
                rep.add(Problem("entry", "stored leaf hash does not match the leaf", idx))
            bad_entry.append(bad)
        missing_until(b)
        return leaf_hashes, bad_entry, leaves

    def _stored_level(self, level: int, start: int, count: int) -> list[Any]:
        if count <= 0:
            return []
        return self._rows(
            "SELECT idx, hash FROM audit_nodes WHERE level = ? AND idx >= ? AND idx < ? "
            "ORDER BY idx",
            (level, start, start + count),
        )

    def _compare(
        self,
        level: int,
        start: int,
        computed: list[bytes],
        stored: list[Any],
        explained: list[bool],
    ) -> list[bool]:
        if [r[1] for r in stored] == computed and [r[0] for r in stored] == list(
            range(start, start + len(computed))
        ):
            return [False] * len(computed)
        by_idx = {r[0]: r[1] for r in stored}
        return [
            self._compare_node(level, start + j, by_idx.get(start + j), digest, explained[j])
            for j, digest in enumerate(computed)
        ]

    def _compare_node(
        self, level: int, idx: int, stored: object, digest: bytes, explained: bool
    ) -> bool:
        """Whether the stored node differs; reported unless a problem below explains it."""
        if stored is not None and _hash(stored) == digest:
            return False
        if not explained:
            what = "is missing" if stored is None else "does not match the entries"
            msg = f"node (level {level}, index {idx}) {what}"
            self.report.add(Problem("node", msg, idx << level))
        return True

    def _merge(self, digest: bytes, idx: int, dirty: bool) -> None:
        """Add a finished chunk's root to the frontier, checking the nodes that completes."""
        level = self.k
        merges: list[tuple[int, int, bytes, bool]] = []  # (level, idx, hash, left was dirty)
        while self.frontier and self.frontier[-1][0] == level:
            _, left_idx, left, left_dirty = self.frontier.pop()
            level, idx, digest = level + 1, left_idx >> 1, node_hash(left, digest)
            merges.append((level, idx, digest, left_dirty))
        if merges:
            stored = fetch_nodes(self.conn, [(lv, i) for lv, i, _, _ in merges])
            for lv, i, d, left_dirty in merges:
                dirty = self._compare_node(lv, i, stored.get((lv, i)), d, dirty or left_dirty)
        self.frontier.append((level, idx, digest, dirty))

    def _root(self, levels: list[list[bytes]], a: int, s: int) -> bytes:
        """Root at size s: right fold of the frontier of a, then [a, s) split by its bits."""
        pieces = [d for _, _, d, _ in self.frontier]
        pos, rest = a, s - a
        for level in range(self.k, -1, -1):
            if rest >> level & 1:
                pieces.append(levels[level][(pos - a) >> level])
                pos += 1 << level
        acc = pieces[-1]
        for piece in reversed(pieces[:-1]):
            acc = node_hash(piece, acc)
        return acc

    def _sealed(self, a: int, b: int, leaves: list[tuple[int, bytes]]) -> None:
        blobs = dict(
            self._rows("SELECT idx, blob FROM audit_sealed WHERE idx >= ? AND idx < ?", (a, b))
        )
        for idx, leaf in leaves:
            if idx not in blobs and b'"sealed":' not in leaf:
                continue
            try:
                declared = json.loads(leaf).get("sealed")
            except (ValueError, AttributeError):
                declared = None
            blob = as_bytes(blobs.get(idx))
            if blob is None and declared is not None:
                self.report.add(Problem("sealed", "sealed detail is missing", idx))
            elif blob is not None and declared != hashlib.sha256(blob).hexdigest():
                self.report.add(Problem("sealed", "sealed detail is not the one committed", idx))

    def _beyond(self, size: int) -> None:
        """Rows that lie outside a tree of ``size`` entries."""
        c, rep = self.conn, self.report
        low = c.execute(select(func.min(audit_entries.c.idx))).scalar()
        if low is not None and low < 0:
            rep.add(Problem("entry", f"entry with negative index {low}", 0))
        top = c.execute(select(func.max(audit_sealed.c.idx))).scalar()
        if top is not None and top >= size:
            rep.add(Problem("sealed", f"sealed detail for absent entry {top}", size))
        lo_level, hi_level = c.execute(
            select(func.min(audit_nodes.c.level), func.max(audit_nodes.c.level))
        ).one()
        if lo_level is None:
            return
        if lo_level < 0:
            rep.add(Problem("node", f"node with negative level {lo_level}", 0))
        for level in range(max(lo_level, 0), min(hi_level, 63) + 1):
            extra = c.execute(
                select(func.min(audit_nodes.c.idx)).where(
                    audit_nodes.c.level == level, audit_nodes.c.idx >= size >> level
                )
            ).scalar()
            if extra is not None:
                msg = f"node (level {level}, index {extra}) lies beyond the tree"
                rep.add(Problem("node", msg, min(extra << level, size)))
        if hi_level > 63:
            rep.add(Problem("node", f"node with impossible level {hi_level}", size))
