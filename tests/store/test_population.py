"""The bulk writer: every identifier encrypted, indexes normalised, reading back is lossless."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from idrs.store.crypto import Vault, norm_street, norm_surname, norm_surname_zip, norm_tin
from idrs.store.keyring import Keyring
from idrs.store.population import POPULATION_TABLES, dump_population, purpose, write_batch
from idrs.store.records import (
    AddressRec,
    AuthorizationRec,
    BankAccountRec,
    Batch,
    FiledReturnRec,
    InfoReturnRec,
    LinkRec,
    ModuleRec,
    PostingRec,
    ReturnLineRec,
    StaffRec,
    StatusRec,
    TaxpayerRec,
    UnitRec,
)
from idrs.store.tables.staff import staff
from idrs.store.tables.taxpayers import addresses, bank_accounts, taxpayers

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def _person(tp_id: int, tin: str, line: str, surname: str) -> TaxpayerRec:
    return TaxpayerRec(
        id=tp_id,
        entity_kind="individual",
        tin_kind="SSN",
        tin=tin,
        name_control=surname[:4].upper(),
        name_line1=line,
        name_line2=None,
        surname=surname,
        birth_date=date(1970, 3, 4),
        death_date=None,
        filing_requirements="1040",
        established_on=date(1988, 3, 4),
        created_at=NOW,
    )


def sample_batch() -> Batch:
    b = Batch()
    b.taxpayers += [
        _person(1, "800112222", "JANE Q PUBLICSON", "Publicson"),
        _person(2, "800113333", "JOHN R PUBLICSON", "Publicson"),
    ]
    b.addresses += [
        AddressRec(
            100,
            1,
            "12 North Maple Street",
            "Lakeville",
            "MN",
            "55044",
            "Publicson",
            date(2001, 1, 1),
            date(2019, 12, 31),
        ),
        AddressRec(
            101,
            1,
            "77 Birch Lane Apt. 5",
            "Lakeville",
            "MN",
            "55044",
            "Publicson",
            date(2020, 1, 1),
        ),
        AddressRec(
            200,
            2,
            "77 Birch Lane Apt. 5",
            "Lakeville",
            "MN",
            "55044",
            "Publicson",
            date(2020, 1, 1),
        ),
    ]
    b.links += [
        LinkRec(102, 1, 2, "spouse", date(2010, 6, 1)),
        LinkRec(201, 2, 1, "spouse", date(2010, 6, 1)),
    ]
    b.authorizations.append(
        AuthorizationRec(
            103, 1, "2848", "0123-45678R", "ANN ADVOCATE, CPA", 30, 201912, 202712, date(2021, 2, 1)
        )
    )
    b.bank_accounts.append(
        BankAccountRec(104, 1, "021000021", "123456789", "checking", date(2015, 1, 1))
    )
    b.information_returns.append(
        InfoReturnRec(1000, 1, None, "W-2", 2024, 5_000_000, 600_000, date(2025, 1, 31))
    )
    b.modules.append(
        ModuleRec(
            1000,
            1,
            2,
            30,
            202412,
            2,
            10,
            date(2025, 3, 20),
            0,
            date(2025, 4, 15),
            date(2025, 3, 1),
            date(2025, 3, 20),
            date(2028, 4, 15),
            date(2035, 3, 20),
            date(2028, 4, 15),
            False,
            NOW,
        )
    )
    b.status_history.append(StatusRec(10000, 1000, 10, date(2025, 3, 20), 20251104))
    b.postings += [
        PostingRec(
            100000,
            1000,
            150,
            500_000,
            "28211060000015",
            20251104,
            date(2025, 3, 1),
            date(2025, 3, 20),
            NOW,
        ),
        PostingRec(
            100001,
            1000,
            806,
            600_000,
            "28211060000015",
            20251104,
            date(2025, 4, 15),
            date(2025, 3, 20),
            NOW,
        ),
        PostingRec(
            100002,
            1000,
            846,
            100_000,
            "28211060000015",
            20251104,
            date(2025, 3, 20),
            date(2025, 3, 20),
            NOW,
        ),
    ]
    b.filed_returns.append(
        FiledReturnRec(1000, 1000, "28211060000015", "1040", date(2025, 3, 1), 2)
    )
    b.return_lines += [
        ReturnLineRec(1000, "wages", 5_000_000),
        ReturnLineRec(1000, "total_tax", 500_000),
    ]
    b.units.append(UnitRec(1, "CS", "Customer Service"))
    b.staff += [  # the manager is listed after the person managed: the writer reorders
        StaffRec(2, 2, "csr9", "0102010002", "employee", 1, 1, "none", NOW, ("customer_service",)),
        StaffRec(
            1, 1, "mgr9", "0102010001", "employee", 1, None, "none", NOW, ("manager", "approver")
        ),
    ]
    return b


def test_writes_every_row_and_reads_back_the_same_values(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(keyring)
    batch = sample_batch()
    with db.engine.begin() as conn:
        assert write_batch(conn, vault, batch) == batch.row_count() == 24
    with db.engine.connect() as conn:
        dump = dump_population(conn, vault)
    assert list(dump) == [t.name for t in POPULATION_TABLES]
    cols = [c.name for c in taxpayers.c]
    jane = dict(zip(cols, dump["taxpayers"][0], strict=True))
    assert jane["tin_enc"] == "800112222"
    assert jane["name_line1_enc"] == "JANE Q PUBLICSON"
    assert jane["birth_date_enc"] == "1970-03-04"
    assert jane["name_line2_enc"] is None and jane["death_date_enc"] is None
    acols = [c.name for c in addresses.c]
    first = dict(zip(acols, dump["addresses"][0], strict=True))
    assert (first["street_enc"], first["city_enc"], first["zip_enc"]) == (
        "12 North Maple Street",
        "Lakeville",
        "55044",
    )
    bank = dict(zip([c.name for c in bank_accounts.c], dump["bank_accounts"][0], strict=True))
    assert (bank["routing_enc"], bank["account_enc"]) == ("021000021", "123456789")
    assert [r[0] for r in dump["staff"]] == [1, 2]
    assert sorted(dump["staff_roles"]) == [(1, "approver"), (1, "manager"), (2, "customer_service")]


def test_identifiers_are_ciphertext_and_indexes_are_the_normalised_hmac(
    db, keyring: Keyring
) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(keyring)
    with db.engine.begin() as conn:
        write_batch(conn, vault, sample_batch())
    with db.engine.connect() as conn:
        jane = conn.execute(select(taxpayers).where(taxpayers.c.id == 1)).one()
        home = conn.execute(select(addresses).where(addresses.c.id == 101)).one()
        # a ciphertext is bound to its purpose and row: Jane's TIN does not open as John's
        assert vault.decrypt(conn, purpose("taxpayers", "tin_enc"), jane.tin_enc, 1) == b"800112222"
    assert b"800112222" not in bytes(jane.tin_enc)
    assert b"PUBLICSON" not in bytes(jane.name_line1_enc)
    assert jane.tin_index == vault.blind_index("tin", norm_tin("800-11-2222"))
    assert jane.surname_index == vault.blind_index("surname", norm_surname("publicson"))
    assert home.street_index == vault.blind_index(
        "street", norm_street("77 Birch Ln Apartment 5", "55044-0001")
    )
    assert home.surname_zip_index == vault.blind_index(
        "surname_zip", norm_surname_zip("Publicson", "55044")
    )
    assert home.state == "MN"


def test_a_failed_batch_leaves_nothing(db, keyring: Keyring) -> None:  # type: ignore[no-untyped-def]
    batch = sample_batch()
    batch.staff.append(  # a duplicate username violates a unique constraint at the very end
        StaffRec(3, None, "mgr9", "0102010003", "service", 1, None, "none", NOW, ("service",))
    )
    with pytest.raises(Exception, match=r"(?i)unique"), db.engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)
    with db.engine.connect() as conn:
        assert conn.execute(select(taxpayers.c.id)).all() == []
        assert conn.execute(select(staff.c.id)).all() == []


def test_purpose_names_table_and_column() -> None:
    assert purpose("taxpayers", "tin_enc") == "taxpayers.tin"
    assert (
        purpose("authorizations", "representative_name_enc") == "authorizations.representative_name"
    )
