"""Merkle tree hashing, proofs and proof verification exactly as RFC 9162 §2.1 specifies.

Why we write this small core ourselves: ``pymerkle`` matches the RFC 6962 test vectors but is
GPL-3.0 (incompatible with our Apache-2.0 licence) and recomputes subtree roots from the
leaves, whereas our store keeps full-subtree hashes and must build proofs from O(log n) of
them. The whole thing is ~300 lines of standard library, easy to audit, and third parties
can run it offline (see :mod:`idrs.audit.verify`).

Three layers:

* hashing: :func:`leaf_hash`, :func:`node_hash`, :func:`root` (MTH of RFC 9162 §2.1.1);
* reference proof generators over an in-memory list of leaf hashes, written as the literal
  recursive PATH / SUBPROOF definitions (§2.1.3.1, §2.1.4.1): :func:`inclusion_proof`,
  :func:`consistency_proof`;
* generators for the storage layer that only read *full subtree* hashes (below), and the
  verifiers written as the bit-twiddling algorithms of §2.1.3.2 and §2.1.4.2.

Full subtrees. The full subtree at (level ``L``, index ``i``) is the perfect binary tree over
leaves ``[i·2^L, (i+1)·2^L)``; level 0 holds the leaf hashes themselves. Once leaf
``(i+1)·2^L - 1`` is appended its hash never changes, so the store can persist it.
``get(level, index)`` must return that hash; it is only ever called for subtrees that are
complete within the tree size being asked about. Every node of the RFC tree of size ``n`` is
either such a full subtree or a right-edge node ``[a, n)``, which is the right fold of the
full subtrees given by the binary digits of ``n - a`` (see :func:`range_hash`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "ProofError",
    "SubtreeGetter",
    "consistency_proof",
    "consistency_proof_from_subtrees",
    "full_subtree_root",
    "inclusion_proof",
    "inclusion_proof_from_subtrees",
    "leaf_hash",
    "node_hash",
    "range_hash",
    "root",
    "root_from_full_subtrees",
    "subtrees_completed_by",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeGetter = Callable[[int, int], bytes]
"""``get(level, index)``: the full subtree hash of leaves [index·2^level, (index+1)·2^level)."""


class ProofError(ValueError):
    """A proof does not verify, or its parameters are impossible; the message says which part."""


# -- hashing ---------------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry): the hash of one log entry (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): an interior node (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n`` ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) for the given leaf hashes; the empty tree hashes to SHA-256("")."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root(leaf_hashes[:k]), root(leaf_hashes[k:]))


def full_subtree_root(level: int, index: int, leaf_hashes: Sequence[bytes]) -> bytes:
    """Reference ``get``: the full subtree hash at (level, index), recomputed from the leaves."""
    start, end = index << level, (index + 1) << level
    if level < 0 or index < 0 or end > len(leaf_hashes):
        raise ValueError(f"no full subtree at level {level}, index {index}")
    return root(leaf_hashes[start:end])


# -- reference generators: the literal RFC 9162 definitions ----------------------------------


def _path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, d[:k]), root(d[k:])]
    return [*_path(m - k, d[k:]), root(d[:k])]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) (RFC 9162 §2.1.3.1), leaf side first."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"index {index} not in a tree of size {len(leaf_hashes)}")
    return _path(index, leaf_hashes)


def _subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [root(d)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, d[:k], b), root(d[k:])]
    return [*_subproof(m - k, d[k:], False), root(d[:k])]


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) (RFC 9162 §2.1.4.1); empty when ``old_size`` is 0 or ``n``."""
    n = len(leaf_hashes)
    if not 0 <= old_size <= n:
        raise ValueError(f"old size {old_size} not within 0..{n}")
    if old_size == 0:
        return []
    return _subproof(old_size, leaf_hashes, True)


# -- generators over stored full-subtree hashes ----------------------------------------------


def subtrees_completed_by(index: int) -> list[tuple[int, int]]:
    """The full subtrees (level, index) that appending leaf ``index`` completes, level 0 first.

    The store persists exactly these after each append; the hash at level L > 0 is
    ``node_hash(get(L-1, 2i), get(L-1, 2i+1))``.
    """
    size, out, level = index + 1, [], 0
    while size % (1 << level) == 0:
        out.append((level, (size >> level) - 1))
        level += 1
    return out


def range_hash(start: int, end: int, get: SubtreeGetter) -> bytes:
    """MTH(D[start:end]) for a node of the RFC tree, from full-subtree hashes only.

    ``start`` must be a multiple of the largest power of two ≤ ``end - start`` (true of every
    node in an RFC 9162 tree). The range splits into the full subtrees named by the binary
    digits of its size, largest first, and their hashes are folded from the right, which is
    exactly MTH's split at the largest power of two below the size.
    """
    size = end - start
    if size <= 0:
        raise ValueError(f"empty or negative range [{start}, {end})")
    pieces: list[bytes] = []
    pos = start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            if pos % (1 << level):
                raise ValueError(f"range [{start}, {end}) is not a node of a Merkle tree")
            pieces.append(get(level, pos >> level))
            pos += 1 << level
    acc = pieces[-1]
    for piece in reversed(pieces[:-1]):
        acc = node_hash(piece, acc)
    return acc


def root_from_full_subtrees(size: int, get: SubtreeGetter) -> bytes:
    """MTH(D[0:size]) from at most ⌈log2 size⌉+1 full-subtree hashes."""
    if size < 0:
        raise ValueError(f"negative tree size {size}")
    return EMPTY_ROOT if size == 0 else range_hash(0, size, get)


def inclusion_proof_from_subtrees(index: int, size: int, get: SubtreeGetter) -> list[bytes]:
    """PATH(index, D[size]) built from full-subtree hashes; equals :func:`inclusion_proof`."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} not in a tree of size {size}")
    out: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:  # descend; siblings are collected root side first
        k = _split(hi - lo)
        if index < lo + k:
            out.append(range_hash(lo + k, hi, get))
            hi = lo + k
        else:
            out.append(range_hash(lo, lo + k, get))
            lo += k
    out.reverse()
    return out


def consistency_proof_from_subtrees(m: int, n: int, get: SubtreeGetter) -> list[bytes]:
    """PROOF(m, D[n]) built from full-subtree hashes; equals :func:`consistency_proof`."""
    if not 0 <= m <= n:
        raise ValueError(f"old size {m} not within 0..{n}")
    if m == 0:
        return []
    out: list[bytes] = []
    lo, hi, whole = 0, n, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            out.append(range_hash(lo + k, hi, get))
            hi = lo + k
        else:
            out.append(range_hash(lo, lo + k, get))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        out.append(range_hash(lo, hi, get))
    out.reverse()
    return out


# -- verification: RFC 9162 §2.1.3.2 and §2.1.4.2 --------------------------------------------


def _check_hashes(what: str, proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            got = len(h) if isinstance(h, bytes) else type(h).__name__
            raise ProofError(f"{what}: hash {i} has {got} bytes, expected {HASH_SIZE}")


def _inclusion_length(index: int, size: int) -> int:
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``tree_size`` with ``root``.

    The proof does not bind ``tree_size`` by itself (e.g. index 0 has the same-shaped proof in
    trees of size 6 and 7); a signed checkpoint binds the size to the root.
    """
    what = "inclusion proof"
    if not 0 <= index < tree_size:
        raise ProofError(f"{what}: index {index} not below tree size {tree_size}")
    _check_hashes(what, [leaf_hash, root])
    _check_hashes(what, proof)
    want = _inclusion_length(index, tree_size)
    if len(proof) != want:
        raise ProofError(f"{what}: wrong length (expected {want} hashes, got {len(proof)})")
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError(f"{what}: too many hashes for the tree size")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(f"{what}: too few hashes for the tree size")
    if r != root:
        raise ProofError(f"{what}: computed root does not match the checkpoint root")


def _consistency_length(size1: int, size2: int) -> int:
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length()
    border = ((size1 - 1) >> inner).bit_count()
    shift = (size1 & -size1).bit_length() - 1
    start = 0 if size1 == 1 << shift else 1
    return start + inner - shift + border


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of ``size2`` with ``root2`` extends the one of ``size1``/``root1``."""
    what = "consistency proof"
    if not 0 <= size1 <= size2:
        raise ProofError(f"{what}: old size {size1} not within 0..{size2}")
    _check_hashes(what, [root1, root2])
    _check_hashes(what, proof)
    if size1 == size2 or size1 == 0:
        if proof:
            raise ProofError(f"{what}: wrong length (expected 0 hashes, got {len(proof)})")
        if size1 == 0 and root1 != EMPTY_ROOT:
            raise ProofError(f"{what}: old root is not the empty-tree root")
        if size1 == size2 and root1 != root2:
            raise ProofError(f"{what}: equal sizes but the roots differ")
        return
    want = _consistency_length(size1, size2)
    if len(proof) != want:
        raise ProofError(f"{what}: wrong length (expected {want} hashes, got {len(proof)})")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # step 2: exact power of two
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"{what}: too many hashes for the tree sizes")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(f"{what}: too few hashes for the tree sizes")
    if fr != root1:
        raise ProofError(f"{what}: computed old root does not match the previous checkpoint root")
    if sr != root2:
        raise ProofError(f"{what}: computed root does not match the checkpoint root")
