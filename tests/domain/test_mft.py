"""MFT catalogue (domain.md §2.6) and return due dates with the IRC 7503 roll-forward."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain.mft import CATALOGUE, Mft, mft, return_due_date
from idrs.domain.periods import TaxPeriod, is_business_day
from idrs.errors import InvalidInput


def test_lookup_by_number_and_text() -> None:
    assert mft(30) is mft("30")
    assert mft("30").form.startswith("1040")
    assert mft("30").master_file == "IMF"
    assert mft("01") == mft(1)
    assert mft(1).period_kind == "quarterly"
    assert mft(10).period_kind == "annual"
    assert mft(74).master_file == "EPMF"
    assert str(mft(1)) == "01"


def test_section_2_6_rows_present() -> None:
    codes = {30, 31, 35, 65, 55, 1, 2, 3, 5, 6, 10, 11, 12, 13, 14, 16, 36, 44, 34, 51, 52, 60,
             67, 74}  # fmt: skip
    assert codes <= set(CATALOGUE)
    assert mft(31).confidence == "uncertain"
    assert mft(2).confidence == "high"
    assert mft(1).confidence == "confirmed"
    assert all(row.confidence in {"confirmed", "high", "uncertain"} for row in CATALOGUE.values())


@pytest.mark.parametrize("value", ["3", "030", "", " 3 ", 100])
def test_length_message(value: int | str) -> None:
    with pytest.raises(InvalidInput) as info:
        mft(value)
    assert info.value.field == "mft"
    assert info.value.rule == "MFT WHEN PRESENT MUST HAVE 2 CHARACTERS"


@pytest.mark.parametrize("value", ["99", "AB", "3x", 99, -1, 0, True])
def test_unknown(value: int | str) -> None:
    with pytest.raises(InvalidInput) as info:
        mft(value)
    assert info.value.field == "mft"
    assert info.value.rule == "INVALID MFT"


@pytest.mark.parametrize(
    ("year", "due"),
    [
        (2021, date(2022, 4, 18)),  # 15 Apr Fri is Emancipation Day observed
        (2022, date(2023, 4, 18)),  # 15 Apr Sat; 17 Apr Emancipation Day observed
        (2023, date(2024, 4, 15)),
        (2024, date(2025, 4, 15)),
        (2025, date(2026, 4, 15)),
        (2016, date(2017, 4, 18)),
    ],
)
def test_1040_calendar_year_due_dates(year: int, due: date) -> None:
    assert return_due_date(30, f"{year}12") == due


@pytest.mark.parametrize(
    ("code", "period", "due"),
    [
        (30, "202406", date(2024, 10, 15)),  # fiscal-year 1040
        (5, "202312", date(2024, 4, 15)),  # 1041
        (2, "202312", date(2024, 4, 15)),  # 1120, tax year beginning after 2015
        (2, "201512", date(2016, 3, 15)),  # 1120, before the change: 3rd month
        (2, "202509", date(2026, 1, 15)),  # fiscal 1120
        (2, "202506", date(2025, 9, 15)),  # June FYE keeps 3rd month until 2026
        (2, "202706", date(2027, 10, 15)),
        (6, "202312", date(2024, 3, 15)),  # 1065, 3rd month
        (6, "201512", date(2016, 4, 18)),  # 1065 before 2016: 4th month, rolled
        (67, "202312", date(2024, 5, 15)),  # 990: 5th month
        (67, "202406", date(2024, 11, 15)),
        (1, "202403", date(2024, 4, 30)),  # 941
        (1, "202406", date(2024, 7, 31)),
        (1, "202409", date(2024, 10, 31)),
        (1, "202312", date(2024, 1, 31)),
        (1, "202309", date(2023, 10, 31)),
        (1, "202306", date(2023, 7, 31)),
        (1, "202206", date(2022, 8, 1)),  # 31 Jul 2022 is a Sunday
        (10, "202312", date(2024, 1, 31)),
        (14, "202112", date(2022, 1, 31)),
        (16, "202212", date(2023, 1, 31)),
        (10, "202112", date(2022, 1, 31)),
        (10, "202212", date(2023, 1, 31)),
        (10, "201912", date(2020, 1, 31)),
        (10, "202012", date(2021, 2, 1)),  # 31 Jan 2021 is a Sunday
    ],
)
def test_due_dates(code: int, period: str, due: date) -> None:
    assert return_due_date(code, period) == due
    assert return_due_date(mft(code), TaxPeriod.parse(period)) == due


def test_due_date_refuses_wrong_period_shape() -> None:
    with pytest.raises(InvalidInput) as info:
        return_due_date(1, "202402")
    assert info.value.field == "tax_period"
    with pytest.raises(InvalidInput) as info:
        return_due_date(10, "202306")
    assert info.value.field == "tax_period"


@pytest.mark.parametrize("code", [3, 11, 51, 52, 74])
def test_due_date_refuses_mft_without_rule(code: int) -> None:
    with pytest.raises(InvalidInput) as info:
        return_due_date(code, "202312")
    assert info.value.field == "mft"


@given(st.sampled_from([30, 5, 2, 6, 67]), st.integers(1961, 2099), st.integers(1, 12))
def test_annual_due_dates_are_business_days_after_period_end(
    code: int, year: int, month: int
) -> None:
    period = TaxPeriod(year, month)
    due = return_due_date(code, period)
    assert is_business_day(due)
    assert 60 <= (due - period.end_date).days <= 160


def test_mft_is_frozen() -> None:
    row = mft(30)
    assert isinstance(row, Mft)
    with pytest.raises(AttributeError):
        row.code = 31  # type: ignore[misc]
