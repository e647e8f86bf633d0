"""Tamper-evident audit log: events, Merkle tree (RFC 9162), signed checkpoints, proofs."""
