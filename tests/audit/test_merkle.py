"""RFC 9162 Merkle core: published vectors, reference vs full-subtree generators, tampering."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.audit.merkle import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    consistency_proof_from_subtrees,
    full_subtree_root,
    inclusion_proof,
    inclusion_proof_from_subtrees,
    leaf_hash,
    node_hash,
    range_hash,
    root,
    root_from_full_subtrees,
    subtrees_completed_by,
    verify_consistency,
    verify_inclusion,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "rfc6962.json").read_text())
H = bytes.fromhex
VLEAVES = [leaf_hash(H(x)) for x in VECTORS["leaves"]]


@cache
def leaves(n: int) -> tuple[bytes, ...]:
    return tuple(leaf_hash(f"entry {i}".encode()) for i in range(n))


@cache
def root_of(n: int) -> bytes:
    return root(leaves(n))


def getter(hashes: tuple[bytes, ...]) -> Callable[[int, int], bytes]:
    """A store stand-in: full-subtree hashes built bottom-up, as the DB keeps them."""
    levels = [list(hashes)]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        levels.append([node_hash(prev[2 * i], prev[2 * i + 1]) for i in range(len(prev) // 2)])
    calls: list[tuple[int, int]] = []

    def get(level: int, index: int) -> bytes:
        calls.append((level, index))
        return levels[level][index]

    get.calls = calls  # type: ignore[attr-defined]
    return get


def flip(b: bytes, bit: int) -> bytes:
    out = bytearray(b)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# -- published vectors -----------------------------------------------------------------------


def test_hasher_vectors() -> None:
    hv = VECTORS["hasher"]
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT == H(hv["empty"]) == root([])
    for case in hv["leaves"]:
        assert leaf_hash(H(case["entry"])) == H(case["hash"])
    for case in hv["nodes"]:
        assert node_hash(H(case["left"]), H(case["right"])) == H(case["hash"])


def test_roots_and_subtree_hashes_match_published_vectors() -> None:
    assert VECTORS["roots"][1] == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert VECTORS["roots"][8] == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    for size, want in enumerate(VECTORS["roots"]):
        assert root(VLEAVES[:size]) == H(want)
        get = lambda level, i: H(VECTORS["node_hashes"][level][i])  # noqa: E731
        assert root_from_full_subtrees(size, get) == H(want)
    for level, row in enumerate(VECTORS["node_hashes"]):
        for i, want in enumerate(row):
            assert full_subtree_root(level, i, VLEAVES) == H(want)


@pytest.mark.parametrize(
    "case", VECTORS["inclusion"], ids=lambda c: f"{c['index']}@{c['tree_size']}"
)
def test_inclusion_vectors(case: dict) -> None:
    i, n, proof = case["index"], case["tree_size"], [H(x) for x in case["proof"]]
    assert inclusion_proof(i, VLEAVES[:n]) == proof
    verify_inclusion(VLEAVES[i], i, n, proof, H(VECTORS["roots"][n]))


@pytest.mark.parametrize("case", VECTORS["consistency"], ids=lambda c: f"{c['size1']}-{c['size2']}")
def test_consistency_vectors(case: dict) -> None:
    m, n, proof = case["size1"], case["size2"], [H(x) for x in case["proof"]]
    assert consistency_proof(m, VLEAVES[:n]) == proof
    verify_consistency(m, n, proof, H(VECTORS["roots"][m]), H(VECTORS["roots"][n]))


def test_real_ct_log_inclusion_vector() -> None:
    c = VECTORS["ct_log_inclusion"]
    assert leaf_hash(H(c["entry"])) == H(c["leaf_hash"])
    proof = [H(x) for x in c["proof"]]
    verify_inclusion(H(c["leaf_hash"]), c["index"], c["tree_size"], proof, H(c["root"]))
    with pytest.raises(ProofError, match="does not match"):
        verify_inclusion(H(c["leaf_hash"]), c["index"], c["tree_size"], proof, bytes(32))
    with pytest.raises(ProofError, match="wrong length"):
        verify_inclusion(H(c["leaf_hash"]), c["index"], c["tree_size"], proof[:-1], H(c["root"]))


# -- reference generators vs full-subtree generators -----------------------------------------


@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_subtree_generators_agree_with_reference(case: tuple[int, int]) -> None:
    n, i = case
    hashes = leaves(n)
    get = getter(hashes)
    assert root_from_full_subtrees(n, get) == root(hashes)
    assert inclusion_proof_from_subtrees(i, n, get) == inclusion_proof(i, hashes)
    assert consistency_proof_from_subtrees(i + 1, n, get) == consistency_proof(i + 1, hashes)
    assert consistency_proof_from_subtrees(i, n, get) == consistency_proof(i, hashes)


def test_subtree_generators_exhaustive_small_trees() -> None:
    for n in range(1, 40):
        hashes = leaves(n)
        get = getter(hashes)
        for i in range(n):
            assert inclusion_proof_from_subtrees(i, n, get) == inclusion_proof(i, hashes)
        for m in range(n + 1):
            assert consistency_proof_from_subtrees(m, n, get) == consistency_proof(m, hashes)


def test_root_reads_only_log_many_subtrees() -> None:
    get = getter(leaves(1000))
    root_from_full_subtrees(1000, get)
    assert get.calls == [(9, 0), (8, 2), (7, 6), (6, 14), (5, 30), (3, 124)]  # type: ignore[attr-defined]


def test_subtrees_completed_by_append() -> None:
    assert subtrees_completed_by(0) == [(0, 0)]
    assert subtrees_completed_by(6) == [(0, 6)]
    assert subtrees_completed_by(7) == [(0, 7), (1, 3), (2, 1), (3, 0)]


def test_range_hash_rejects_unaligned_range() -> None:
    with pytest.raises(ValueError, match="not a node"):
        range_hash(1, 3, getter(leaves(4)))


# -- verification: every proof verifies, any change fails ------------------------------------


def test_every_inclusion_proof_up_to_64_verifies_and_any_flip_fails() -> None:
    for n in range(1, 65):
        hashes = leaves(n)
        r = root(hashes)
        for i in range(n):
            proof = inclusion_proof(i, hashes)
            verify_inclusion(hashes[i], i, n, proof, r)
            for bit in range(0, 256, 37):
                with pytest.raises(ProofError):
                    verify_inclusion(flip(hashes[i], bit), i, n, proof, r)
                with pytest.raises(ProofError):
                    verify_inclusion(hashes[i], i, n, proof, flip(r, bit))
                for k in range(len(proof)):
                    bad = [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
                    with pytest.raises(ProofError):
                        verify_inclusion(hashes[i], i, n, bad, r)
            for bit in range(7):
                with pytest.raises(ProofError):
                    verify_inclusion(hashes[i], i ^ (1 << bit), n, proof, r)
                # The hash chain does not bind the size (index 0 has the same proof shape in
                # trees of 6 and 7 leaves); the signed checkpoint binds size to root, so check
                # a changed size against the root that size really has.
                m = n ^ (1 << bit)
                with pytest.raises(ProofError):
                    verify_inclusion(hashes[i], i, m, proof, root_of(m))


def test_inclusion_size_is_bound_only_by_the_root() -> None:
    hashes = leaves(7)
    proof = inclusion_proof(0, hashes[:6])
    verify_inclusion(hashes[0], 0, 7, proof, root(hashes[:6]))  # same shape, same root
    with pytest.raises(ProofError, match="does not match"):
        verify_inclusion(hashes[0], 0, 7, proof, root(hashes))


def test_every_consistency_proof_up_to_64_verifies_and_any_flip_fails() -> None:
    for n in range(1, 65):
        hashes = leaves(n)
        r2 = root(hashes)
        for m in range(0, n + 1):
            r1 = root(hashes[:m])
            proof = consistency_proof(m, hashes)
            verify_consistency(m, n, proof, r1, r2)
            for bit in range(0, 256, 53):
                with pytest.raises(ProofError):
                    verify_consistency(m, n, proof, flip(r1, bit), r2)
                if m == 0:  # the empty tree is a prefix of every tree: nothing binds r2
                    continue
                with pytest.raises(ProofError):
                    verify_consistency(m, n, proof, r1, flip(r2, bit))
                for k in range(len(proof)):
                    bad = [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
                    with pytest.raises(ProofError):
                        verify_consistency(m, n, bad, r1, r2)
            for bit in range(7 if m else 0):  # size 0's empty proof fits every size
                m2, n2 = m ^ (1 << bit), n ^ (1 << bit)
                if 0 < m2 <= n:  # (0, n) with an empty proof is always consistent
                    with pytest.raises(ProofError):
                        verify_consistency(m2, n, proof, root_of(m2), r2)
                if n2 >= m:
                    with pytest.raises(ProofError):
                        verify_consistency(m, n2, proof, r1, root_of(n2))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 0, [], EMPTY_ROOT), "inclusion proof: index 0 not below tree size 0"),
        ((7, 5, [], EMPTY_ROOT), "inclusion proof: index 7 not below tree size 5"),
        ((0, 5, [bytes(32)] * 4, EMPTY_ROOT), r"wrong length \(expected 3 hashes, got 4\)"),
        ((0, 5, [bytes(32)] * 2, EMPTY_ROOT), r"wrong length \(expected 3 hashes, got 2\)"),
        ((0, 2, [bytes(31)], EMPTY_ROOT), "hash 0 has 31 bytes, expected 32"),
        ((0, 2, [bytes(32)], bytes(32)), "computed root does not match the checkpoint root"),
    ],
)
def test_inclusion_failure_messages(args: tuple, message: str) -> None:
    index, size, proof, r = args
    with pytest.raises(ProofError, match=message):
        verify_inclusion(leaves(1)[0], index, size, proof, r)


def test_consistency_failure_messages() -> None:
    hashes = leaves(8)
    r3, r8 = root(hashes[:3]), root(hashes)
    proof = consistency_proof(3, hashes)
    with pytest.raises(ProofError, match=r"old size 9 not within 0\.\.8"):
        verify_consistency(9, 8, [], r3, r8)
    with pytest.raises(ProofError, match=r"wrong length \(expected 4 hashes, got 3\)"):
        verify_consistency(3, 8, proof[:-1], r3, r8)
    with pytest.raises(ProofError, match="old root does not match the previous"):
        verify_consistency(3, 8, proof, r8, r8)
    with pytest.raises(ProofError, match="computed root does not match the checkpoint root"):
        verify_consistency(3, 8, proof, r3, r3)
    with pytest.raises(ProofError, match="equal sizes but the roots differ"):
        verify_consistency(8, 8, [], r3, r8)
    with pytest.raises(ProofError, match=r"wrong length \(expected 0 hashes, got 1\)"):
        verify_consistency(8, 8, [r8], r8, r8)
    with pytest.raises(ProofError, match="empty-tree root"):
        verify_consistency(0, 8, [], r3, r8)
    verify_consistency(0, 8, [], EMPTY_ROOT, r8)


def test_generators_reject_impossible_arguments() -> None:
    with pytest.raises(ValueError):
        inclusion_proof(3, leaves(3))
    with pytest.raises(ValueError):
        consistency_proof(4, leaves(3))
    with pytest.raises(ValueError):
        inclusion_proof_from_subtrees(3, 3, getter(leaves(3)))
    with pytest.raises(ValueError):
        consistency_proof_from_subtrees(4, 3, getter(leaves(3)))
