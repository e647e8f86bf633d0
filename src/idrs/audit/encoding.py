"""Turning an :class:`~idrs.audit.events.Event` into leaf bytes under the keyring.

Why commitments: the log is meant to be handed to oversight bodies and kept forever, so a leaf
must not become a second copy of taxpayer data. A leaf holds surrogate ids only as keyed
commitments (HMAC-SHA256 under the keyring's ``audit_key``, which is never rotated so the same
person always maps to the same commitment), and the returned payload and the facts a decision
used only as keyed hashes — never a TIN, a name, or a plain hash that could be brute-forced
from a nine-digit space. What a reviewer must read in clear sits beside the leaf, encrypted
with AES-256-GCM under ``audit_payload_key``; the leaf commits to the SHA-256 of that
ciphertext, so it cannot be swapped or altered without breaking the tree.

Leaf bytes are ``canonical_json`` (RFC 8785) of the event dict with ``"v": 1``, so any
implementation re-encoding an event gets the same bytes and the same leaf hash.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from idrs.audit.canonical import canonical_json
from idrs.audit.merkle import leaf_hash
from idrs.errors import IdrsError
from idrs.store.keyring import Keyring

if TYPE_CHECKING:  # events imports this module (and re-exports it), not the other way round
    from idrs.audit.events import Event

SCHEMA_VERSION = 1
SEALED_AAD = b"idrs-audit-sealed-v1"
_COMMIT_DOMAIN = b"idrs-audit-v1\x00"


class AuditError(IdrsError):
    """Base for audit-log errors a person or an operator can cause."""


@lru_cache(maxsize=4)
def _hmac_pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states after the HMAC inner and outer key blocks (RFC 2104), computed once."""
    block = (
        key.ljust(64, b"\x00")
        if len(key) <= 64
        else hashlib.sha256(key).digest().ljust(64, b"\x00")
    )
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in block)),
        hashlib.sha256(bytes(b ^ 0x5C for b in block)),
    )


def _hmac_sha256(key: bytes, msg: bytes) -> bytes:
    """HMAC-SHA256, about 3x faster than ``hmac.digest`` for short messages (it is per event)."""
    inner, outer = _hmac_pads(key)
    i = inner.copy()
    i.update(msg)
    o = outer.copy()
    o.update(i.digest())
    return o.digest()


def commitment(keyring: Keyring, kind: str, value: str | int) -> bytes:
    """HMAC-SHA256(audit_key, domain ‖ kind ‖ 0 ‖ value): a keyed, non-reversible reference."""
    msg = _COMMIT_DOMAIN + kind.encode() + b"\x00" + str(value).encode()
    return _hmac_sha256(keyring.audit_key, msg)


def actor_commitment(keyring: Keyring, actor: str | int) -> bytes:
    """The commitment stored for a user or service (look-ups by actor use this)."""
    return commitment(keyring, "actor", actor)


def taxpayer_commitment(keyring: Keyring, taxpayer: str | int) -> bytes:
    """The commitment stored for a taxpayer ("who looked at me" uses this)."""
    return commitment(keyring, "taxpayer", taxpayer)


def keyed_digest(keyring: Keyring, kind: str, data: bytes) -> bytes:
    """A keyed hash of bytes (returned payload, decision facts): provable, not guessable."""
    msg = _COMMIT_DOMAIN + kind.encode() + b"\x00" + data
    return _hmac_sha256(keyring.audit_key, msg)


def seal(keyring: Keyring, detail: Mapping[str, Any]) -> bytes:
    """Encrypt reviewer detail: 12-byte random nonce ‖ AES-256-GCM ciphertext and tag."""
    nonce = os.urandom(12)
    plain = canonical_json(dict(detail), name="sealed")
    return nonce + AESGCM(keyring.audit_payload_key).encrypt(nonce, plain, SEALED_AAD)


def unseal(keyring: Keyring, blob: bytes) -> dict[str, Any]:
    """Decrypt a sealed blob; raises :class:`AuditError` if it was altered or the key is wrong."""
    try:
        plain = AESGCM(keyring.audit_payload_key).decrypt(blob[:12], blob[12:], SEALED_AAD)
    except (InvalidTag, ValueError):
        msg = "audit: sealed detail does not decrypt (altered, or another key)"
        raise AuditError(msg) from None
    out = json.loads(plain)
    assert isinstance(out, dict)
    return out


@dataclass(frozen=True)
class Encoded:
    """An event ready to store: leaf bytes and hash, the sealed blob, the query columns."""

    leaf: bytes
    leaf_hash: bytes
    sealed: bytes | None
    tag: str
    at: int
    actor: bytes
    taxpayer: bytes | None


def leaf_dict(
    event: Event,
    keyring: Keyring,
    sealed_blob: bytes | None,
    *,
    actor: bytes | None = None,
    taxpayer: bytes | None = None,
) -> dict[str, Any]:
    """The v1 leaf object; fields that are unset are left out."""
    if actor is None:
        actor = actor_commitment(keyring, event.actor)
    d: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "tag": event.tag.value,
        "at": event.at,
        "actor": actor.hex(),
        "outcome": event.outcome.value,
    }
    if event.taxpayer is not None:
        if taxpayer is None:
            taxpayer = taxpayer_commitment(keyring, event.taxpayer)
        d["taxpayer"] = taxpayer.hex()
    if event.payload is not None:
        d["payload"] = keyed_digest(keyring, "payload", event.payload).hex()
    if event.facts is not None:
        d["facts"] = keyed_digest(keyring, "facts", event.facts).hex()
    if event.decision is not None:
        d["decision"] = event.decision.value
        d["reasons"] = list(event.reasons)
    if event.categories:
        d["categories"] = list(event.categories)
    if event.detail:
        d["detail"] = dict(event.detail)
    if sealed_blob is not None:
        d["sealed"] = hashlib.sha256(sealed_blob).hexdigest()
    for name in _OPTIONAL_FIELDS:
        value = getattr(event, name)
        if value is not None:
            d[name] = value
    return d


_OPTIONAL_FIELDS = (
    "command", "rows", "session", "terminal", "client", "purpose",
    "case_id", "grant_id", "agreement_id", "policy_hash",
)  # fmt: skip

# Two ways to the same bytes. The reference is ``canonical_json(leaf_dict(...))``. The one
# used on every append writes the JSON directly, because it runs once per audited request
# and building a dict then sorting and encoding it cost more than the database insert. It
# relies on what Event.__post_init__ guarantees: codes match ``[A-Za-z0-9_.:/@#\[\]-]+``
# and need no escaping; free text has no lone surrogates and is escaped by the C version of
# ``json.encoder.encode_basestring`` exactly as RFC 8785 requires; ints are within ±2^53.
# ``detail`` goes through the C encoder with sorted keys, which matches RFC 8785 except that
# RFC 8785 orders keys by UTF-16 code units and Python by code points; they disagree only for
# keys holding a character at or above U+E000, and such a detail takes the reference path.
# Property tests check that both paths give identical bytes for arbitrary events.
_fast_json = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode
_quote = json.encoder.encode_basestring


def _has_high_keys(value: object) -> bool:
    if isinstance(value, dict):
        return any(any(ord(c) >= 0xE000 for c in k) or _has_high_keys(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_high_keys(v) for v in value)
    return False


def _detail_json(detail: Mapping[str, Any]) -> str:
    d = dict(detail)
    if _has_high_keys(d):
        return canonical_json(d, name="detail").decode("utf-8")
    return str(_fast_json(d))


def leaf_bytes(
    event: Event, keyring: Keyring, blob: bytes | None, actor: bytes, taxpayer: bytes | None
) -> bytes:
    """The leaf bytes, written field by field in RFC 8785 key order (see the note above)."""
    e = event
    out = ['{"actor":"', actor.hex(), '"']
    if e.agreement_id is not None:
        out += [',"agreement_id":', _quote(e.agreement_id)]
    out += [',"at":', str(e.at)]
    if e.case_id is not None:
        out += [',"case_id":"', e.case_id, '"']
    if e.categories:
        out += [',"categories":["', '","'.join(e.categories), '"]']
    if e.client is not None:
        out += [',"client":"', e.client, '"']
    if e.command is not None:
        out += [',"command":"', e.command, '"']
    if e.decision is not None:
        out += [',"decision":"', e.decision.value, '"']
    if e.detail:
        out += [',"detail":', _detail_json(e.detail)]
    if e.facts is not None:
        out += [',"facts":"', keyed_digest(keyring, "facts", e.facts).hex(), '"']
    if e.grant_id is not None:
        out += [',"grant_id":"', e.grant_id, '"']
    out += [',"outcome":"', e.outcome.value, '"']
    if e.payload is not None:
        out += [',"payload":"', keyed_digest(keyring, "payload", e.payload).hex(), '"']
    if e.policy_hash is not None:
        out += [',"policy_hash":"', e.policy_hash, '"']
    if e.purpose is not None:
        out += [',"purpose":', _quote(e.purpose)]
    if e.decision is not None:
        out += [',"reasons":[', ",".join(f'"{r}"' for r in e.reasons), "]"]
    if e.rows is not None:
        out += [',"rows":', str(e.rows)]
    if blob is not None:
        out += [',"sealed":"', hashlib.sha256(blob).hexdigest(), '"']
    if e.session is not None:
        out += [',"session":"', e.session, '"']
    out += [',"tag":"', e.tag.value, '"']
    if taxpayer is not None:
        out += [',"taxpayer":"', taxpayer.hex(), '"']
    if e.terminal is not None:
        out += [',"terminal":"', e.terminal, '"']
    out.append(f',"v":{SCHEMA_VERSION}}}')
    return "".join(out).encode("utf-8")


def encode(event: Event, keyring: Keyring) -> Encoded:
    """Leaf bytes (canonical JSON), leaf hash, sealed blob and query columns for ``event``."""
    blob = seal(keyring, event.sealed) if event.sealed is not None else None
    actor = actor_commitment(keyring, event.actor)
    taxpayer = None if event.taxpayer is None else taxpayer_commitment(keyring, event.taxpayer)
    leaf = leaf_bytes(event, keyring, blob, actor, taxpayer)
    return Encoded(
        leaf=leaf,
        leaf_hash=leaf_hash(leaf),
        sealed=blob,
        tag=event.tag.value,
        at=event.at,
        actor=actor,
        taxpayer=taxpayer,
    )
