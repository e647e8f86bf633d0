"""INOLE, ENMOD, NAMES, ENREQ and INCHG through the gate."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from idrs.gate import Refused
from idrs.store.crypto import Vault
from idrs.store.tables.work import pending_entity_changes
from tests.commands.conftest import terminal


def _changes(w):  # type: ignore[no-untyped-def]
    with w.gate.engine.connect() as conn:
        rows = conn.execute(select(pending_entity_changes)).all()
        vault = Vault(w.keyring)
        return [
            (r.tc, r.status, r.name_control,
             json.loads(vault.decrypt(conn, "pending_entity_changes.change", r.change_enc, r.id)))
            for r in rows
        ]  # fmt: skip


def test_an_address_change_on_a_call_is_queued_for_the_cycle(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.open_contact(w.staff("csr1"), w.tin("alice"), "caller verified by prior notice and DOB")
    csr = terminal(w, "csr1")
    enreq = csr.run(f"ENREQ {w.tin('alice')}")
    assert enreq.fields["CODE"] == "INCHG" and enreq.fields["STREET"] == "20 OAK AVE"
    got = csr.run(
        f"INCHG {w.tin('alice')} TC>014 STREET>'5 New Rd' CITY>Springfield ST>VA ZIP>22151 "
        "REMARKS>'TP CALLED WITH NEW ADDRESS'"
    )
    assert got.screen.page(1)[23].startswith("REQUEST COMPLETED - PN 014")
    [(tc, status, nc, change)] = _changes(w)
    assert (tc, status, nc) == (14, "PN", None)
    assert change["street"] == "5 NEW RD" and change["zip"] == "22151"
    enmod = csr.run(f"ENMOD {w.tin('alice')}")
    assert enmod.data["entity"]["street"] == "20 Oak Ave"  # the entity is unchanged until posted
    assert [p["tc"] for p in enmod.data["pending"]] == [14]


def test_a_name_change_gets_its_new_name_control(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    terminal(w, "ra1").run(
        f"INCHG {w.tin('alice')} TC>013 NAME-LINE>'PAT HAWTHORN' REMARKS>'MARRIAGE CERT'"
    )
    [(tc, _, nc, change)] = _changes(w)
    assert (tc, nc, change["name_line1"], change["surname"]) == (
        13,
        "HAWT",
        "PAT HAWTHORN",
        "HAWTHORN",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("TC>015 REMARKS>ABC", "TC MUST BE 013 (NAME) OR 014 (ADDRESS)"),
        ("TC>014 STREET>'1 A ST' CITY>X1 ST>VA ZIP>22150 REMARKS>ABC", "CITY: 2-35 LETTERS"),
        ("TC>014 STREET>'1 A ST' CITY>AB ST>V ZIP>22150 REMARKS>ABC", "ST: 2-LETTER STATE CODE"),
        ("TC>014 STREET>'1 A ST' CITY>AB ST>VA ZIP>2215 REMARKS>ABC", "ZIP: 5 OR 9 DIGITS"),
        ("TC>014 STREET>'1 A ST' CITY>AB ST>VA ZIP>22150", "REMARKS REQUIRED"),
    ],
)
def test_bad_entity_changes_write_nothing(world, fields, message) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    shown = terminal(w, "ra1").screen(f"INCHG {w.tin('alice')} {fields}")
    assert message in shown.screen.page(1)[23]
    assert _changes(w) == []


def test_names_shows_only_masked_tin_name_and_city(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.open_contact(w.staff("csr1"), w.tin("bob"), "caller verified by prior notice and DOB")
    got = terminal(w, "csr1").run("NAMES ZINNIA")
    assert sorted(h[0] for h in got.data["hits"]) == ["XXX-XX-0201", "XXX-XX-0202"]
    assert all(len(h) == 4 for h in got.data["hits"])
    assert "OAK AVE" not in got.screen.text().upper()  # no street


def test_names_needs_an_open_contact_or_case(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with pytest.raises(Refused):
        terminal(w, "exec1").run("NAMES ZINNIA")


def test_inole_profile(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("bob"), "EXAM")
    got = terminal(w, "ra1").run(f"INOLET{w.tin('bob')}")
    assert got.data["file"] == "IMF"
    assert [x[0] for x in got.data["xrefs"]] == ["spouse"]
    assert "MODULES ON FILE:  30 202412" in got.screen.text()


def test_namee_finds_businesses_and_names_finds_people(world) -> None:  # type: ignore[no-untyped-def]
    from tests.commands.conftest import WIDGETS_EIN

    w = world
    w.gov.open_contact(w.staff("csr1"), WIDGETS_EIN, "caller verified by prior notice and EIN")
    csr = terminal(w, "csr1")
    got = csr.run("NAMEE SAMPLE 22150")
    assert got.data["hits"] == [["XX-XXX4567", "SAMPLE WIDGETS LLC", "Springfield", "VA"]]
    assert csr.run("NAMEE SAMPLE 99999").data["hits"] == []
    assert csr.run("NAMES SAMPLE").data["hits"] == []  # NAMES is for individuals
