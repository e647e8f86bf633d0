"""The taxpayer read repository: look-up by TIN, decrypted entity, modules and postings."""

from __future__ import annotations

from datetime import date

import pytest

from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.population import write_batch
from idrs.store.taxpayers import (
    TaxpayerNotFound,
    find_by_tin,
    get_entity,
    links_of,
    modules_of,
    postings_of,
)

from .test_population import sample_batch


@pytest.fixture
def loaded(db, keyring: Keyring):  # type: ignore[no-untyped-def]
    vault = Vault(keyring)
    with db.engine.begin() as conn:
        write_batch(conn, vault, sample_batch())
    return db, vault


def test_find_by_tin_in_any_punctuation(loaded) -> None:  # type: ignore[no-untyped-def]
    db, vault = loaded
    with db.engine.connect() as conn:
        found = find_by_tin(conn, vault, "800-11-2222")
        assert found is not None and found.id == 1
        assert find_by_tin(conn, vault, " 800112222 ") == found
        assert find_by_tin(conn, vault, "800-11-4444") is None


def test_entity_is_decrypted_with_a_masked_tin_and_the_current_address(loaded) -> None:  # type: ignore[no-untyped-def]
    db, vault = loaded
    with db.engine.connect() as conn:
        jane = get_entity(conn, vault, 1)
    assert jane.tin_masked == "XXX-XX-2222"
    assert "800112222" not in repr(jane)
    assert jane.name_line1 == "JANE Q PUBLICSON" and jane.name_line2 is None
    assert jane.birth_date == date(1970, 3, 4) and jane.death_date is None
    assert jane.address is not None
    assert jane.address.street == "77 Birch Lane Apt. 5"  # the open row, not the older one
    assert jane.address.valid_to is None and jane.address.zip_code == "55044"
    assert (jane.entity_kind, jane.tin_kind, jane.name_control) == ("individual", "SSN", "PUBL")


def test_unknown_taxpayer_is_a_named_error(loaded) -> None:  # type: ignore[no-untyped-def]
    db, vault = loaded
    with db.engine.connect() as conn, pytest.raises(TaxpayerNotFound):
        get_entity(conn, vault, 999)


def test_modules_include_joint_ones_for_the_secondary_spouse(loaded) -> None:  # type: ignore[no-untyped-def]
    db, _ = loaded
    with db.engine.connect() as conn:
        own = modules_of(conn, 1)
        spouse = modules_of(conn, 2)
        links = links_of(conn, 2)
    assert [m.id for m in own] == [m.id for m in spouse] == [1000]
    module = own[0]
    assert (module.mft, module.tax_period, module.secondary_taxpayer_id) == (30, 202412, 2)
    assert module.csed == date(2035, 3, 20) and module.installment_agreement is False
    assert [(link.related_id, link.kind) for link in links] == [(1, "spouse")]


def test_postings_in_posting_order(loaded) -> None:  # type: ignore[no-untyped-def]
    db, _ = loaded
    with db.engine.connect() as conn:
        postings = postings_of(conn, 1000)
        assert postings_of(conn, 4242) == []
    assert [p.tc for p in postings] == [150, 806, 846]
    assert sum(p.amount_cents * {150: 1, 806: -1, 846: 1}[p.tc] for p in postings) == 0
    assert postings[0].dln == "28211060000015" and postings[0].cycle == 20251104
