"""Tax periods, the legal-holiday calendar (IRC 7503) and the posting-cycle model."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain.periods import (
    Cycle,
    TaxPeriod,
    cycles_in_year,
    is_business_day,
    legal_holidays,
    roll_forward,
)
from idrs.errors import InvalidInput

dates = st.dates(min_value=date(1960, 1, 8), max_value=date(2100, 12, 24))


# --- TaxPeriod -------------------------------------------------------------------------------


def test_tax_period_parse_and_format() -> None:
    period = TaxPeriod.parse("202312")
    assert (period.year, period.month) == (2023, 12)
    assert str(period) == "202312"
    assert period.end_date == date(2023, 12, 31)
    assert TaxPeriod.parse(" 200612 ") == TaxPeriod(2006, 12)


@pytest.mark.parametrize(
    ("text", "end"),
    [("202402", date(2024, 2, 29)), ("202302", date(2023, 2, 28)), ("202406", date(2024, 6, 30))],
)
def test_tax_period_end_date(text: str, end: date) -> None:
    assert TaxPeriod.parse(text).end_date == end


@pytest.mark.parametrize(
    "text", ["202313", "202300", "195912", "210101", "20231", "2023-12", "abcdef", ""]
)
def test_tax_period_rejects(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        TaxPeriod.parse(text)
    assert info.value.field == "tax_period"


def test_tax_period_ordering() -> None:
    assert TaxPeriod(2023, 12) < TaxPeriod(2024, 3) < TaxPeriod(2024, 12)
    assert sorted([TaxPeriod(2024, 1), TaxPeriod(2023, 12)])[0] == TaxPeriod(2023, 12)


@given(st.integers(1960, 2100), st.integers(1, 12))
def test_tax_period_round_trip(year: int, month: int) -> None:
    period = TaxPeriod(year, month)
    assert TaxPeriod.parse(str(period)) == period
    assert period.end_date.month == month
    assert (period.end_date + timedelta(days=1)).day == 1


# --- Legal holidays --------------------------------------------------------------------------


def test_holidays_2022_include_observed_emancipation_day() -> None:
    holidays = legal_holidays(2022)
    assert holidays[date(2022, 4, 15)] == "DC Emancipation Day"  # 16 Apr is a Saturday
    assert date(2022, 6, 20) in holidays  # Juneteenth on Sunday -> Monday
    assert date(2022, 12, 26) in holidays  # Christmas on Sunday -> Monday
    assert date(2022, 1, 1) not in holidays  # Saturday: observed 31 Dec 2021
    assert legal_holidays(2021)[date(2021, 12, 31)] == "New Year's Day"


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 1, 15), "Martin Luther King Jr. Day"),
        (date(2024, 2, 19), "Washington's Birthday"),
        (date(2024, 5, 27), "Memorial Day"),
        (date(2024, 9, 2), "Labor Day"),
        (date(2024, 10, 14), "Columbus Day"),
        (date(2024, 11, 28), "Thanksgiving Day"),
        (date(2024, 4, 16), "DC Emancipation Day"),
        (date(2021, 1, 20), "Inauguration Day (DC)"),
        (date(1985, 1, 21), "Inauguration Day (DC)"),  # 20 Jan 1985 was a Sunday
        (date(1975, 10, 27), "Veterans Day"),
        (date(1970, 2, 23), "Washington's Birthday"),  # 22 Feb 1970 was a Sunday
    ],
)
def test_named_holidays(day: date, name: str) -> None:
    assert legal_holidays(day.year)[day] == name
    assert not is_business_day(day)


def test_no_juneteenth_or_emancipation_day_before_they_existed() -> None:
    assert date(2020, 6, 19) not in legal_holidays(2020)
    assert date(2004, 4, 16) not in legal_holidays(2004)
    assert date(1984, 1, 16) not in legal_holidays(1984)  # MLK Day from 1986
    assert date(2022, 1, 20) not in legal_holidays(2022)  # not an inauguration year


def test_roll_forward() -> None:
    assert roll_forward(date(2024, 4, 15)) == date(2024, 4, 15)  # Monday, ordinary day
    assert roll_forward(date(2023, 4, 15)) == date(2023, 4, 18)  # Sat -> Sun -> Mon holiday
    assert roll_forward(date(2024, 12, 25)) == date(2024, 12, 26)


@given(dates)
def test_roll_forward_lands_on_business_day_within_a_week(day: date) -> None:
    rolled = roll_forward(day)
    assert is_business_day(rolled)
    assert 0 <= (rolled - day).days <= 4
    assert all(not is_business_day(day + timedelta(days=i)) for i in range((rolled - day).days))


# --- Cycles ----------------------------------------------------------------------------------


def test_cycle_calendar_model_2024() -> None:
    # First Thursday of 2024 is 4 Jan, so cycle 01 runs Fri 29 Dec 2023 - Thu 4 Jan 2024.
    assert Cycle.for_date(date(2023, 12, 29)) == Cycle(2024, 1, 1)
    assert Cycle.for_date(date(2023, 12, 28)) == Cycle(2023, 52, 5)
    assert Cycle.for_date(date(2024, 1, 4), daily=False) == Cycle(2024, 1)
    assert Cycle(2024, 1).dates()[0] == date(2023, 12, 29)
    assert Cycle(2024, 1).dates()[-1] == date(2024, 1, 4)
    assert str(Cycle.for_date(date(2024, 4, 15))) == "20241602"


@pytest.mark.parametrize(
    ("weekday_date", "code"),
    [
        (date(2024, 4, 12), 1),  # Friday
        (date(2024, 4, 13), 2),  # Saturday posts Monday
        (date(2024, 4, 14), 2),  # Sunday posts Monday
        (date(2024, 4, 15), 2),
        (date(2024, 4, 16), 3),
        (date(2024, 4, 17), 4),
        (date(2024, 4, 18), 5),  # Thursday
    ],
)
def test_cadee2_day_codes(weekday_date: date, code: int) -> None:
    cycle = Cycle.for_date(weekday_date)
    assert cycle.day == code
    assert cycle.week == 16
    assert weekday_date in cycle.dates()


def test_posting_dates() -> None:
    assert Cycle(2024, 16, 2).posting_date == date(2024, 4, 15)
    assert Cycle(2024, 16, 2).dates() == (date(2024, 4, 13), date(2024, 4, 14), date(2024, 4, 15))
    assert Cycle(2024, 16).posting_date == date(2024, 4, 18)
    assert Cycle(2024, 16, 8).posting_date == date(2024, 4, 18)
    assert len(Cycle(2024, 16, 8).dates()) == 7


def test_cycles_in_year() -> None:
    assert cycles_in_year(2026) == 53  # 1 Jan 2026 is a Thursday
    assert cycles_in_year(2020) == 53  # leap year starting on Wednesday
    assert cycles_in_year(2024) == 52
    Cycle(2026, 53)
    with pytest.raises(InvalidInput):
        Cycle(2024, 53)


@pytest.mark.parametrize(
    "text", ["202400", "202454", "2024160", "20241606", "20241600", "195901", "2024AB", "2024-16"]
)
def test_cycle_rejects(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        Cycle.parse(text)
    assert info.value.field == "cycle"


def test_cycle_next() -> None:
    assert Cycle(2024, 16, 1).next() == Cycle(2024, 16, 2)
    assert Cycle(2024, 16, 5).next() == Cycle(2024, 17, 1)
    assert Cycle(2024, 52, 5).next() == Cycle(2025, 1, 1)
    assert Cycle(2024, 52).next() == Cycle(2025, 1)
    assert Cycle(2024, 52, 8).next() == Cycle(2025, 1, 8)
    assert Cycle(2024, 10).plus_weeks(-10) == Cycle(2023, 52)


def test_cycle_parse_forms() -> None:
    assert Cycle.parse("202323") == Cycle(2023, 23)
    assert Cycle.parse("20241505") == Cycle(2024, 15, 5)
    assert str(Cycle(2024, 15, 8)) == "20241508"


@given(dates, st.booleans())
def test_for_date_covers_the_date_and_round_trips(day: date, daily: bool) -> None:
    cycle = Cycle.for_date(day, daily=daily)
    assert day in cycle.dates()
    assert cycle.posting_date >= day
    assert Cycle.parse(str(cycle)) == cycle
    assert cycle.weekly == Cycle.for_date(day, daily=False)


@given(dates, dates, st.booleans())
def test_cycle_order_follows_date_order(a: date, b: date, daily: bool) -> None:
    ca, cb = Cycle.for_date(a, daily), Cycle.for_date(b, daily)
    if a <= b:
        assert ca <= cb
    if ca < cb:
        assert a < b
    assert (ca < cb) == (ca.posting_date < cb.posting_date)


@given(dates)
def test_next_is_the_next_posting_day(day: date) -> None:
    cycle = Cycle.for_date(day)
    following = cycle.next()
    assert following > cycle
    gap = (following.posting_date - cycle.posting_date).days
    assert gap == (3 if cycle.day == 1 else 1)
