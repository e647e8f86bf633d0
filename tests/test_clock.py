"""The business clock: UTC instants, agency-time business dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from idrs.clock import Clock, FixedClock, clock_for

NY = ZoneInfo("America/New_York")


def test_business_date_differs_from_utc_date_late_evening() -> None:
    # 23:30 in New York on 30 Nov is already 1 Dec in UTC
    clock = FixedClock(NY, datetime(2026, 11, 30, 23, 30, tzinfo=NY))
    assert clock.now().date() == date(2026, 12, 1)
    assert clock.today() == date(2026, 11, 30)


def test_advance_moves_the_clock() -> None:
    clock = FixedClock(NY, datetime(2026, 1, 1, 12, tzinfo=UTC))
    clock.advance(days=120)
    assert clock.today() == date(2026, 5, 1)


def test_clock_for_picks_fixed_when_as_of_set() -> None:
    pinned = datetime(2025, 6, 1, 12, tzinfo=UTC)
    assert clock_for(NY, pinned).now() == pinned
    real = clock_for(NY, None)
    assert isinstance(real, Clock) and not isinstance(real, FixedClock)
    assert abs(real.now() - datetime.now(UTC)) < timedelta(minutes=1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_day_bounds_contain_the_day(day: date) -> None:
    clock = Clock(NY)
    start, end = clock.start_of_day(day), clock.end_of_day(day)
    assert start < end
    assert start.astimezone(NY).date() == day
    assert end.astimezone(NY).date() == day
    assert (start - timedelta(microseconds=1)).astimezone(NY).date() == day - timedelta(days=1)
