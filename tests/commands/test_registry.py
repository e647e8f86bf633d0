"""The registry and the access catalogue agree: every code the terminal runs has access rules."""

from __future__ import annotations

from idrs.access.catalogue import catalogue
from idrs.commands.registry import specs


def test_every_registered_code_is_in_the_access_catalogue() -> None:
    registered = set(specs())
    assert {"SUMRY", "TXMOD", "IMFOL", "BMFOL", "RTVUE", "IRPTR", "DDBKD"} <= registered
    assert sorted(registered - set(catalogue())) == []


def test_every_spec_is_registered_under_its_own_five_letter_code() -> None:
    for code, spec in specs().items():
        assert spec.code == code
        assert len(code) == 5
        assert spec.takes in ("tin", "module", "tin+module?", "search"), code
