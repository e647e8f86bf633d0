"""Field encryption (AES-256-GCM, envelope keys) and keyed blind indexes.

Why by hand: no maintained library does column-level envelope encryption with per-key usage
limits on both SQLite and PostgreSQL; the primitives (AES-GCM, AES key wrap, HMAC) come from
``cryptography`` and the standard library, and only the bookkeeping is ours.

* Data keys: one per (purpose, generation), 256-bit, stored wrapped by the keyring's master key
  (RFC 3394 AES key wrap) in ``data_keys``.
* Usage limit: NIST SP 800-38D caps random-nonce GCM at 2**32 invocations per key. Encryptions
  are reserved from the database in blocks; a key is retired once 2**31 are reserved, leaving a
  2**31 margin for blocks lost to rolled-back transactions (a reservation rides in the caller's
  transaction, so a rollback returns it to the pool while this process may still spend it).
* Ciphertext: ``0x01 ‖ key id (4 bytes) ‖ nonce (12) ‖ ciphertext ‖ tag``; the associated data
  binds it to its column purpose and row, so a ciphertext moved to another row fails to open.
* Blind indexes: HMAC-SHA256 under a per-purpose key, truncated to 16 bytes, over a normalised
  value. Only the look-ups the system needs have one (TIN, surname + ZIP, street, surname).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from idrs.errors import IdrsError
from idrs.store.keyring import Keyring
from idrs.store.tables.meta import data_keys

VERSION = 1
KEY_RETIRE_AT = 2**31
BLOCK = 2**20
_HEADER = struct.Struct(">BI")


class DecryptionError(IdrsError):
    """A ciphertext did not open: wrong row, damaged bytes, or an unknown key."""


@dataclass
class _Reservation:
    key_id: int
    aead: AESGCM
    remaining: int


class Vault:
    """Encrypts and decrypts fields; caches unwrapped data keys for the life of the process."""

    def __init__(self, keyring: Keyring, block: int = BLOCK) -> None:
        self._keyring = keyring
        self._block = block
        self._reservations: dict[str, _Reservation] = {}
        self._by_id: dict[int, AESGCM] = {}

    # -- encryption -----------------------------------------------------------------------
    def encrypt(self, conn: Connection, purpose: str, plaintext: str | bytes, row: int) -> bytes:
        res = self._reservations.get(purpose)
        if res is None or res.remaining <= 0:
            res = self._reserve(conn, purpose)
        res.remaining -= 1
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        nonce = os.urandom(12)
        sealed = res.aead.encrypt(nonce, data, _aad(purpose, row))
        return _HEADER.pack(VERSION, res.key_id) + nonce + sealed

    def encrypt_date(self, conn: Connection, purpose: str, value: date, row: int) -> bytes:
        return self.encrypt(conn, purpose, value.isoformat(), row)

    def decrypt(self, conn: Connection, purpose: str, blob: bytes, row: int) -> bytes:
        if len(blob) < _HEADER.size + 12 + 16:
            raise DecryptionError(f"{purpose}: ciphertext too short")
        version, key_id = _HEADER.unpack_from(blob)
        if version != VERSION:
            raise DecryptionError(f"{purpose}: unknown ciphertext version {version}")
        aead = self._by_id.get(key_id) or self._load(conn, key_id)
        nonce = blob[_HEADER.size : _HEADER.size + 12]
        try:
            return aead.decrypt(nonce, blob[_HEADER.size + 12 :], _aad(purpose, row))
        except Exception as exc:  # cryptography raises InvalidTag
            raise DecryptionError(f"{purpose}: ciphertext does not open for row {row}") from exc

    def decrypt_text(self, conn: Connection, purpose: str, blob: bytes | None, row: int) -> str:
        return "" if blob is None else self.decrypt(conn, purpose, blob, row).decode()

    def decrypt_date(
        self, conn: Connection, purpose: str, blob: bytes | None, row: int
    ) -> date | None:
        return (
            None
            if blob is None
            else date.fromisoformat(self.decrypt_text(conn, purpose, blob, row))
        )

    # -- blind indexes --------------------------------------------------------------------
    def blind_index(self, purpose: str, normalised: str) -> bytes:
        return blind_index(self._keyring.blind_index_keys, purpose, normalised)

    # -- key management -------------------------------------------------------------------
    def _reserve(self, conn: Connection, purpose: str) -> _Reservation:
        row = conn.execute(
            select(data_keys.c.id, data_keys.c.reserved, data_keys.c.wrapped_key)
            .where(data_keys.c.purpose == purpose)
            .order_by(data_keys.c.generation.desc())
            .limit(1)
        ).first()
        if row is not None:
            got = conn.execute(
                update(data_keys)
                .where(data_keys.c.id == row.id)
                .where(data_keys.c.reserved + self._block <= KEY_RETIRE_AT)
                .values(reserved=data_keys.c.reserved + self._block)
                .returning(data_keys.c.id)
            ).first()
            if got is not None:
                return self._remember(purpose, row.id, self._unwrap(row.wrapped_key))
        key = AESGCM.generate_key(bit_length=256)
        generation = conn.execute(
            select(func.coalesce(func.max(data_keys.c.generation), 0) + 1).where(
                data_keys.c.purpose == purpose
            )
        ).scalar_one()
        key_id = conn.execute(
            insert(data_keys)
            .values(
                purpose=purpose,
                generation=generation,
                wrapped_key=aes_key_wrap(self._keyring.master_key, key),
                reserved=self._block,
                created_at=datetime.now(UTC),
            )
            .returning(data_keys.c.id)
        ).scalar_one()
        return self._remember(purpose, key_id, key)

    def _remember(self, purpose: str, key_id: int, key: bytes) -> _Reservation:
        aead = AESGCM(key)
        self._by_id[key_id] = aead
        res = _Reservation(key_id, aead, self._block)
        self._reservations[purpose] = res
        return res

    def _load(self, conn: Connection, key_id: int) -> AESGCM:
        wrapped = conn.execute(
            select(data_keys.c.wrapped_key).where(data_keys.c.id == key_id)
        ).scalar_one_or_none()
        if wrapped is None:
            raise DecryptionError(f"data key {key_id} is not in this database")
        aead = AESGCM(self._unwrap(wrapped))
        self._by_id[key_id] = aead
        return aead

    def _unwrap(self, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self._keyring.master_key, wrapped)
        except Exception as exc:
            raise DecryptionError(
                "a data key does not unwrap with this keyring's master key "
                "(wrong IDRS_KEYRING for this database?)"
            ) from exc


def _aad(purpose: str, row: int) -> bytes:
    return f"{purpose}|{row}".encode()


def blind_index(keys: Mapping[str, bytes], purpose: str, normalised: str) -> bytes:
    """HMAC-SHA256 of ``normalised`` under the purpose's key, first 16 bytes."""
    return hmac.new(keys[purpose], normalised.encode(), hashlib.sha256).digest()[:16]


# -- normalisation for blind indexes (the same rule on every write and every look-up) ------
_NON_ALNUM = re.compile(r"[^A-Z0-9 ]+")
_SPACES = re.compile(r"\s+")
_STREET_WORDS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "ROAD": "RD",
    "DRIVE": "DR",
    "LANE": "LN",
    "BOULEVARD": "BLVD",
    "COURT": "CT",
    "PLACE": "PL",
    "TERRACE": "TER",
    "CIRCLE": "CIR",
    "HIGHWAY": "HWY",
    "APARTMENT": "APT",
    "SUITE": "STE",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
}


def norm_tin(digits: str) -> str:
    return "".join(ch for ch in digits if ch.isdigit())


def norm_surname(surname: str) -> str:
    return _SPACES.sub("", _NON_ALNUM.sub("", surname.upper()))


def norm_zip(zip_code: str) -> str:
    return "".join(ch for ch in zip_code if ch.isdigit())[:5]


def norm_street(street: str, zip_code: str) -> str:
    """Upper case, punctuation dropped, USPS-style abbreviations, plus the 5-digit ZIP."""
    words = _SPACES.split(_NON_ALNUM.sub(" ", street.upper()).strip())
    return " ".join(_STREET_WORDS.get(w, w) for w in words) + "|" + norm_zip(zip_code)


def norm_surname_zip(surname: str, zip_code: str) -> str:
    return norm_surname(surname) + "|" + norm_zip(zip_code)
