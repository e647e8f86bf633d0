"""Resolving what a person typed: ``resolve_subject`` answers as the two look-ups it replaces."""

from __future__ import annotations

from dataclasses import replace

import pytest

from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.lookup import module_id_for, resolve_subject, taxpayer_id_for_tin
from idrs.store.population import write_batch

from .test_population import sample_batch

CASES = [
    ("800112222", 30, 202412),  # the primary of a joint module: their own
    ("800113333", 30, 202412),  # the secondary, with no module of their own: the joint one
    ("800113333", 30, 202312),  # no module for that period
    ("800112222", None, 202412),  # no MFT given: no module looked for
    ("800112222", 30, None),
    ("800119999", 30, 202412),  # no such taxpayer
]


@pytest.mark.parametrize("own_module", [False, True])
def test_resolve_subject_agrees_with_the_separate_look_ups(db, own_module: bool) -> None:  # type: ignore[no-untyped-def]
    keyring = Keyring.generate()
    batch = sample_batch()
    if own_module:  # the secondary spouse also has a module of their own for the period
        batch.modules.append(
            replace(batch.modules[0], id=2000, taxpayer_id=2, secondary_taxpayer_id=None)
        )
    with db.engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)
    with db.engine.connect() as conn:
        for digits, mft, period in CASES:
            taxpayer_id = taxpayer_id_for_tin(conn, keyring, digits)
            module_id = None
            if taxpayer_id is not None and mft is not None and period is not None:
                module_id = module_id_for(conn, taxpayer_id, mft, period)
            got = resolve_subject(conn, keyring, digits, mft, period)
            assert got == (taxpayer_id, module_id), (digits, mft, period)
        assert resolve_subject(conn, keyring, "800113333", 30, 202412)[1] == (
            2000 if own_module else 1000
        )
