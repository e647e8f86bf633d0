"""Roots and proofs from the stored full-subtree hashes, never recomputed from leaves.

Why two passes: which subtrees a proof needs depends only on the index and the sizes, not on
any hash, so we first run the pure generator from :mod:`idrs.audit.merkle` with a getter
that records the (level, idx) it asks for and returns a placeholder, then fetch exactly those
rows by primary key in one query, then run it again for real. A proof in a tree of 10 million
entries costs one indexed query for at most ~2·log2(n) rows, from a cold process too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Connection

from idrs.audit import merkle
from idrs.audit.events import AuditError
from idrs.audit.tables import audit_entries
from idrs.errors import InvalidInput

T = TypeVar("T")
Key = tuple[int, int]
_PLACEHOLDER = b"\x00" * merkle.HASH_SIZE
_FETCH_BATCH = 200  # keys per SQLite query: 400 parameters, far below its limit


class AuditStoreError(AuditError):
    """The stored log is missing rows a proof needs: run ``idrs audit verify``."""


def tree_size(conn: Connection) -> int:
    """Number of entries in the log (the next index to be appended)."""
    top = conn.exec_driver_sql("SELECT max(idx) FROM audit_entries").scalar()
    return 0 if top is None else int(top) + 1


def frontier_keys(size: int) -> list[Key]:
    """The full subtrees whose concatenation is leaves [0, size), largest first."""
    out, pos = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            out.append((level, pos >> level))
            pos += 1 << level
    return out


def fetch_nodes(conn: Connection, keys: Iterable[Key]) -> dict[Key, bytes]:
    """Stored hashes for ``keys`` by primary key (absent keys are simply not in the result).

    One index probe per key on both engines: PostgreSQL joins against two unnested arrays
    (one statement text whatever the count, so it is planned once and cheaply), SQLite gets
    ``(level = ? AND idx = ?) OR ...`` — it answers a row-value ``IN`` list with a full scan.
    """
    wanted = sorted(set(keys))
    found: dict[Key, bytes] = {}
    if not wanted:
        return found
    driver = conn.connection.driver_connection  # same connection and transaction, less overhead
    if conn.dialect.name == "postgresql":
        params: tuple[object, ...] = ([k[0] for k in wanted], [k[1] for k in wanted])
        rows = driver.execute(_PG_FETCH, params, prepare=True).fetchall()  # type: ignore[union-attr]
    else:
        rows = []
        for start in range(0, len(wanted), _FETCH_BATCH):
            chunk = wanted[start : start + _FETCH_BATCH]
            where = " OR ".join(["(level = ? AND idx = ?)"] * len(chunk))
            params = tuple(v for key in chunk for v in key)
            sql = f"SELECT level, idx, hash FROM audit_nodes WHERE {where}"
            rows.extend(driver.execute(sql, params).fetchall())  # type: ignore[union-attr]
    for level, idx, digest in rows:
        found[(int(level), int(idx))] = bytes(digest)
    return found


_PG_FETCH = (
    "SELECT n.level, n.idx, n.hash FROM audit_nodes n "
    "JOIN unnest(%s::int2[], %s::int8[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx"
)


def keys_needed(compute: Callable[[merkle.SubtreeGetter], object]) -> set[Key]:
    """The (level, idx) that ``compute`` reads, found by running it on placeholders."""
    keys: set[Key] = set()

    def record(level: int, idx: int) -> bytes:
        keys.add((level, idx))
        return _PLACEHOLDER

    compute(record)
    return keys


def _getter(nodes: dict[Key, bytes]) -> merkle.SubtreeGetter:
    def get(level: int, idx: int) -> bytes:
        try:
            return nodes[(level, idx)]
        except KeyError:
            raise AuditStoreError(
                f"audit: stored node (level {level}, index {idx}) is missing; "
                "run `idrs audit verify`"
            ) from None

    return get


def _fetch_for(conn: Connection, keys: set[Key], size: int) -> dict[Key, bytes]:
    """Fetch ``keys`` plus leaf ``size - 1``, whose presence shows the tree is that big.

    So the hot path is one query; only when something is absent do we ask for the tree
    size, to tell "no such size yet" (the caller's mistake) from a damaged store.
    """
    probe = (0, size - 1)
    nodes = fetch_nodes(conn, keys | {probe}) if size else fetch_nodes(conn, keys)
    if size and (probe not in nodes or not keys <= nodes.keys()):
        current = tree_size(conn)
        if size > current:
            raise InvalidInput("size", f"must be a tree size within 0..{current}", size)
    return nodes


def with_nodes(conn: Connection, size: int, compute: Callable[[merkle.SubtreeGetter], T]) -> T:
    """Run ``compute(get)`` on the tree of ``size`` entries, nodes fetched in one query."""
    return compute(_getter(_fetch_for(conn, keys_needed(compute), size)))


def _check_size(size: int, *, field: str = "size") -> None:
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidInput(field, "must be a tree size (a whole number, 0 or more)", size)


def root_at(conn: Connection, size: int) -> bytes:
    """The RFC 9162 root of the first ``size`` entries."""
    _check_size(size)
    return with_nodes(conn, size, partial(merkle.root_from_full_subtrees, size))


def inclusion_proof(conn: Connection, index: int, size: int) -> list[bytes]:
    """Inclusion proof of entry ``index`` in the tree of ``size`` entries."""
    _check_size(size)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
        raise InvalidInput("index", f"must be an entry index below the tree size {size}", index)
    return with_nodes(conn, size, partial(merkle.inclusion_proof_from_subtrees, index, size))


def consistency_proof(conn: Connection, old_size: int, size: int) -> list[bytes]:
    """Consistency proof that the tree of ``size`` extends the tree of ``old_size``."""
    _check_size(size)
    if isinstance(old_size, bool) or not isinstance(old_size, int) or not 0 <= old_size <= size:
        raise InvalidInput("from", f"must be a tree size within 0..{size}", old_size)
    compute = partial(merkle.consistency_proof_from_subtrees, old_size, size)
    return with_nodes(conn, size, compute)


def inclusion_proofs(
    conn: Connection, indexes: Sequence[int], size: int
) -> Iterator[tuple[int, list[bytes]]]:
    """Proofs for many entries against one size, fetching shared nodes once per batch.

    Neighbouring entries share most of their proof, so an export of a range costs about two
    fetched rows per entry, in a few queries, rather than one query per entry.
    """
    _check_size(size)
    _fetch_for(conn, set(), size)
    for i in indexes:
        if not 0 <= i < size:
            raise InvalidInput("index", f"must be an entry index below the tree size {size}", i)
    cache: dict[Key, bytes] = {}
    step = 256
    for start in range(0, len(indexes), step):
        batch = indexes[start : start + step]
        needed: set[Key] = set()
        for i in batch:
            needed |= keys_needed(partial(merkle.inclusion_proof_from_subtrees, i, size))
        missing = needed - cache.keys()
        cache = {k: v for k, v in cache.items() if k in needed}  # keep memory flat
        cache.update(fetch_nodes(conn, missing))
        get = _getter(cache)
        for i in batch:
            yield i, merkle.inclusion_proof_from_subtrees(i, size, get)


def leaf_at(conn: Connection, index: int) -> bytes:
    """The stored leaf bytes of entry ``index``."""
    leaf = conn.execute(select(audit_entries.c.leaf).where(audit_entries.c.idx == index)).scalar()
    if leaf is None:
        raise InvalidInput("index", "no audit entry with this index", index)
    return bytes(leaf)
