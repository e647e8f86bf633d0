"""Field encryption and blind indexes: ciphertexts bound to purpose and row, keys reserved."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from idrs.store.crypto import (
    KEY_RETIRE_AT,
    DecryptionError,
    Vault,
    norm_street,
    norm_surname,
    norm_surname_zip,
    norm_tin,
)
from idrs.store.keyring import Keyring
from idrs.store.tables.meta import data_keys


def test_round_trip_and_binding_to_purpose_and_row(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(keyring)
    with db.engine.begin() as conn:
        blob = vault.encrypt(conn, "taxpayers.name_line1", "JANE Q SAMPLE", 41)
        assert b"SAMPLE" not in blob
        assert vault.decrypt_text(conn, "taxpayers.name_line1", blob, 41) == "JANE Q SAMPLE"
        with pytest.raises(DecryptionError, match="row 42"):
            vault.decrypt(conn, "taxpayers.name_line1", blob, 42)
        with pytest.raises(DecryptionError):
            vault.decrypt(conn, "taxpayers.name_line2", blob, 41)
        tampered = blob[:-1] + bytes([blob[-1] ^ 1])
        with pytest.raises(DecryptionError):
            vault.decrypt(conn, "taxpayers.name_line1", tampered, 41)
        with pytest.raises(DecryptionError, match="too short"):
            vault.decrypt(conn, "taxpayers.name_line1", b"\x01abc", 41)
        born = vault.encrypt_date(conn, "taxpayers.birth_date", date(1980, 2, 29), 41)
        assert vault.decrypt_date(conn, "taxpayers.birth_date", born, 41) == date(1980, 2, 29)
        assert vault.decrypt_date(conn, "taxpayers.birth_date", None, 41) is None


def test_same_plaintext_encrypts_differently_each_time(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(keyring)
    with db.engine.begin() as conn:
        a = vault.encrypt(conn, "taxpayers.tin", "800112222", 1)
        b = vault.encrypt(conn, "taxpayers.tin", "800112222", 1)
    assert a != b and len(a) == len(b)


def test_another_process_reads_with_the_same_keyring_only(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        blob = Vault(keyring).encrypt(conn, "addresses.street", "12 Elm Street", 5)
    with db.engine.connect() as conn:
        assert Vault(keyring).decrypt_text(conn, "addresses.street", blob, 5) == "12 Elm Street"
        with pytest.raises(DecryptionError, match="wrong IDRS_KEYRING"):
            Vault(Keyring.generate()).decrypt(conn, "addresses.street", blob, 5)


def test_encryptions_are_reserved_in_blocks_per_purpose(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(keyring, block=3)
    with db.engine.begin() as conn:
        for i in range(7):
            vault.encrypt(conn, "taxpayers.tin", str(i), i)
        vault.encrypt(conn, "addresses.city", "X", 1)
        rows = conn.execute(select(data_keys.c.purpose, data_keys.c.reserved)).all()
    assert dict(rows) == {"taxpayers.tin": 9, "addresses.city": 3}


def test_a_key_near_the_gcm_limit_is_retired_for_a_new_generation(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        old = Vault(keyring, block=10).encrypt(conn, "taxpayers.tin", "1", 1)
        conn.execute(update(data_keys).values(reserved=KEY_RETIRE_AT - 5))
    with db.engine.begin() as conn:
        fresh = Vault(keyring, block=10)
        new = fresh.encrypt(conn, "taxpayers.tin", "2", 2)
        gens = conn.execute(
            select(data_keys.c.generation).order_by(data_keys.c.generation)
        ).scalars()
        assert list(gens) == [1, 2]
        assert old[1:5] != new[1:5]  # a different key id in the header
        assert fresh.decrypt_text(conn, "taxpayers.tin", old, 1) == "1"


def test_blind_indexes_are_keyed_per_purpose_and_normalised(keyring: Keyring) -> None:
    vault = Vault(keyring)
    tin = vault.blind_index("tin", norm_tin("800-11-2222"))
    assert tin == vault.blind_index("tin", norm_tin("800112222"))
    assert len(tin) == 16
    assert tin != vault.blind_index("surname", norm_tin("800112222"))
    assert tin != Vault(Keyring.generate()).blind_index("tin", "800112222")
    assert norm_surname("O'Neil-Smith ") == "ONEILSMITH"
    assert norm_street("12 North Elm Street, Apt. 4", "20001-1234") == "12 N ELM ST APT 4|20001"
    assert norm_street("12 N. Elm St Apt 4", "20001") == norm_street(
        "12 north elm street apartment 4", "20001"
    )
    assert norm_surname_zip("Smith", "06001-0001") == "SMITH|06001"
