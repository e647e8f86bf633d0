"""ASED / CSED / RSED (domain.md §3.3, vectors §6.5) and calendar arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain.statutes import add_months, add_years, ased, csed, rsed
from idrs.errors import InvalidInput

DUE = date(2025, 4, 15)
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31))


# §6.5 row 1: 2024 Form 1040 due 15-Apr-2025, filed 1-Mar-2025, 23C 7-Apr-2025
def test_vector_early_return() -> None:
    assert ased(DUE, date(2025, 3, 1)) == date(2028, 4, 15)
    assert csed(date(2025, 4, 7)) == date(2035, 4, 7)
    assert rsed(date(2025, 3, 1), DUE) == date(2028, 4, 15)


# §6.5 row 2: same return filed late 10-Aug-2025, 23C 1-Sep-2025
def test_vector_late_return() -> None:
    filed = date(2025, 8, 10)
    assert ased(DUE, filed) == date(2028, 8, 10)
    assert csed(date(2025, 9, 1)) == date(2035, 9, 1)
    assert rsed(filed, DUE) == date(2028, 8, 10)
    assert rsed(filed, DUE, last_payment=date(2027, 1, 5)) == date(2029, 1, 5)
    assert rsed(filed, DUE, last_payment=date(2026, 1, 5)) == date(2028, 8, 10)


# §6.5 row 3: CSED with a 120-day bankruptcy stay = original + 120 days + 6 months
def test_vector_bankruptcy_suspension() -> None:
    original = csed(date(2025, 4, 7))
    expected = add_months(original + timedelta(days=120), 6)
    assert csed(date(2025, 4, 7), 120, suspension_months=6) == expected == date(2036, 2, 5)


def test_ased_variants() -> None:
    filed = date(2025, 3, 1)
    assert ased(DUE, filed, substantial_omission=True) == date(2031, 4, 15)
    assert ased(DUE, filed, fraud=True) is None
    assert ased(DUE, filed, no_return=True) is None
    assert ased(DUE, None) is None
    assert ased(DUE, filed, extension_to=date(2029, 12, 31)) == date(2029, 12, 31)
    assert ased(DUE, filed, extension_to=date(2027, 1, 1)) == date(2028, 4, 15)


def test_csed_refuses_negative_suspensions() -> None:
    with pytest.raises(InvalidInput, match="must not be negative"):
        csed(DUE, -1)
    with pytest.raises(InvalidInput, match="must not be negative"):
        csed(DUE, suspension_months=-1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 2, 29), 36, date(2027, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 2, date(2025, 3, 31)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_leap_day_statutes() -> None:
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert csed(date(2024, 2, 29)) == date(2034, 2, 28)


def test_add_months_out_of_range() -> None:
    with pytest.raises(InvalidInput, match="years 1-9999"):
        add_months(date(9999, 12, 1), 1)


@given(DAYS, DAYS)
def test_ased_and_rsed_are_three_years_after_the_later_date(due: date, filed: date) -> None:
    later = max(due, filed)
    assert ased(due, filed) == add_years(later, 3) == rsed(filed, due)
    result = ased(due, filed)
    assert result is not None and result.month == later.month
    assert result.day == later.day or (later.month, later.day) == (2, 29)
    long = ased(due, filed, substantial_omission=True)
    assert long is not None and long > result


@given(DAYS, DAYS, DAYS)
def test_rsed_never_before_either_window(filed: date, due: date, paid: date) -> None:
    result = rsed(filed, due, paid)
    assert result >= add_years(max(filed, due), 3)
    assert result >= add_years(paid, 2)
    assert result in (add_years(max(filed, due), 3), add_years(paid, 2))


@given(DAYS, st.integers(min_value=0, max_value=4000), st.integers(min_value=0, max_value=60))
def test_csed_grows_with_suspensions(assessed: date, days: int, months: int) -> None:
    base = csed(assessed)
    assert base == add_years(assessed, 10)
    assert csed(assessed, days) == base + timedelta(days=days)
    assert csed(assessed, days, suspension_months=months) >= csed(assessed, days)
