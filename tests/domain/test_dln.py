"""DLN parsing and building (domain.md §2.7, vectors §6.4; display form screens.md §1.1)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain.dln import CAMPUS_FLC, TAX_CLASSES, Dln, parse_dln
from idrs.errors import InvalidInput


def test_vector_form_8752() -> None:
    dln = parse_dln("00223-050-01203-4")
    assert dln == Dln(flc=0, tax_class=2, doc_code=23, julian=50, block=12, serial=3, year_digit=4)
    assert str(dln) == "00223-050-01203-4"
    assert dln.digits == "00223050012034"
    assert dln.numbered_on(2024) == date(2024, 2, 19)
    assert Dln.build(0, 2, 23, date(2024, 2, 19), 12, 3) == dln


def test_vector_form_706() -> None:
    dln = parse_dln("00 5 06 106 000 00 5")
    assert (dln.flc, dln.tax_class, dln.doc_code, dln.julian, dln.serial, dln.year_digit) == (
        0, 5, 6, 106, 0, 5,
    )  # fmt: skip


@pytest.mark.parametrize("year_digit", range(10))
def test_vector_third_row(year_digit: int) -> None:
    dln = parse_dln(f"00 2 10 123 000 12 {year_digit}")
    assert (dln.tax_class, dln.doc_code, dln.julian, dln.block, dln.serial) == (2, 10, 123, 0, 12)
    assert dln.year_digit == year_digit


def test_screen_display_example() -> None:
    dln = parse_dln("28211-105-12345-4")
    assert (dln.flc, dln.tax_class, dln.doc_code) == (28, 2, 11)
    assert (dln.julian, dln.block, dln.serial, dln.year_digit) == (105, 123, 45, 4)
    assert dln.campus == "Philadelphia"
    assert parse_dln("28211105123454") == dln
    assert parse_dln(" 28211 105 12345 4 ") == dln


def test_campus_table() -> None:
    assert len(CAMPUS_FLC) == 10
    assert CAMPUS_FLC[29] == "Ogden"
    assert CAMPUS_FLC[89] == "Fresno"
    assert parse_dln("00223-050-01203-4").campus is None


@pytest.mark.parametrize(
    "text",
    [
        "0022305001203",  # 13 digits
        "002230500120345",  # 15 digits
        "00223-000-01203-4",  # Julian 000
        "00223-367-01203-4",  # Julian 367
        "00623-050-01203-4",  # tax class 6
        "0022305001203A",
        "-00223-050-01203-4",
        "",
    ],
)
def test_rejects(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_dln(text)
    assert info.value.field == "dln"


def test_constructor_validates_serial_and_block() -> None:
    with pytest.raises(InvalidInput):
        Dln(0, 2, 23, 50, 12, 100, 4)
    with pytest.raises(InvalidInput):
        Dln(0, 2, 23, 50, 1000, 3, 4)


def test_numbered_on_checks_year() -> None:
    dln = Dln(0, 2, 23, 366, 12, 3, 3)
    with pytest.raises(InvalidInput):
        dln.numbered_on(2023)  # not a leap year
    with pytest.raises(InvalidInput):
        Dln(0, 2, 23, 50, 12, 3, 4).numbered_on(2023)
    assert Dln(0, 2, 23, 366, 12, 3, 4).numbered_on(2024) == date(2024, 12, 31)


dlns = st.builds(
    Dln,
    flc=st.integers(0, 99),
    tax_class=st.sampled_from(sorted(TAX_CLASSES)),
    doc_code=st.integers(0, 99),
    julian=st.integers(1, 366),
    block=st.integers(0, 999),
    serial=st.integers(0, 99),
    year_digit=st.integers(0, 9),
)


@given(dlns)
def test_round_trip(dln: Dln) -> None:
    assert parse_dln(str(dln)) == dln
    assert parse_dln(dln.digits) == dln
    assert len(dln.digits) == 14


@given(st.dates(min_value=date(1960, 1, 1), max_value=date(2100, 12, 31)))
def test_build_then_numbered_on(day: date) -> None:
    dln = Dln.build(29, 1, 41, day, 400, 0)
    assert dln.numbered_on(day.year) == day
