"""Tax periods, posting cycles and the legal-holiday calendar.

Why: every tax module is keyed by a tax period ``YYYYMM`` (domain.md §2.5), every posted
transaction carries a posting cycle (§2.8), and due dates roll past weekends and legal holidays
(IRC 7503). These are the calendar rules the rest of the domain builds on.

Tax period (domain.md §2.5; screens.md §1.1 ``202312``): the month in which the period *ends*.
We accept years 1960-2100.

Posting cycle (domain.md §2.8; screens.md §1.1): weekly ``YYYYCC`` and daily ``YYYYCCDD`` with
the CADE 2 day codes 01 Fri, 02 Mon, 03 Tue, 04 Wed, 05 Thu, 08 weekly-only (IRM 2.3.32).
The IRS publishes its cycle calendar each year; it is not in our reference, so the calendar
below is **our model**, chosen to agree with the day codes:

* A cycle week runs Friday through Thursday (day code 01 is Friday, 05 is Thursday).
* A week belongs to the year in which its Thursday falls; cycle 01 is the week holding the
  first Thursday of January. A year therefore has 52 or 53 cycles, and up to three days at the
  end of December can belong to cycle 01 of the next year (e.g. 29-31 Dec 2023 are in 202401).
* Work dated Saturday or Sunday posts on Monday's run (day code 02), so day 02 covers
  Sat-Mon. Day 08 (weekly-only accounts) and a weekly cycle cover the whole week and post on
  the Thursday.

Legal holidays (IRC 7503: a deadline on a Saturday, Sunday or legal holiday moves to the next
day that is none of these; "legal holiday" includes District of Columbia holidays): the federal
holidays of 5 USC 6103 with the Saturday->Friday / Sunday->Monday observance rule, DC
Emancipation Day (16 April, DC law since 2005, same observance rule) and Inauguration Day
(20 January every fourth year from 1965; 21 January when the 20th is a Sunday). Not modelled:
statewide holidays in the state of the filing office (IRC 7503 counts them too, e.g. Patriots'
Day for returns filed in Andover) and one-off closures by executive order.
"""

from __future__ import annotations

import calendar
import functools
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from idrs.errors import InvalidInput

MIN_YEAR = 1960
MAX_YEAR = 2100

# --------------------------------------------------------------------------------------------
# Tax period


@dataclass(frozen=True, order=True)
class TaxPeriod:
    """A tax period ``YYYYMM``: the year and month in which the period ends."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidInput("tax_period", f"year must be {MIN_YEAR}-{MAX_YEAR}", self.year)
        if not 1 <= self.month <= 12:
            raise InvalidInput("tax_period", "month must be 01-12", self.month)

    @classmethod
    def parse(cls, text: str) -> TaxPeriod:
        """Parse ``'YYYYMM'`` (six digits, surrounding blanks ignored)."""
        raw = text.strip()
        if len(raw) != 6 or not raw.isdigit() or not raw.isascii():
            raise InvalidInput("tax_period", "must be 6 digits YYYYMM", text)
        return cls(int(raw[:4]), int(raw[4:]))

    @property
    def end_date(self) -> date:
        """The last day of the period."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}{self.month:02d}"


# --------------------------------------------------------------------------------------------
# Legal holidays (IRC 7503)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) ``weekday`` of the month; n = -1 means the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """Saturday holidays are observed on Friday, Sunday holidays on Monday (5 USC 6103(b))."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _actual_holidays(year: int) -> list[tuple[date, str, bool]]:
    """(date, name, observance rule applies) for holidays whose actual date is in ``year``."""
    mon, thu = 0, 3
    days: list[tuple[date, str, bool]] = [
        (date(year, 1, 1), "New Year's Day", True),
        (date(year, 7, 4), "Independence Day", True),
        (_nth_weekday(year, 9, mon, 1), "Labor Day", False),
        (_nth_weekday(year, 11, thu, 4), "Thanksgiving Day", False),
        (date(year, 12, 25), "Christmas Day", True),
    ]
    if year >= 1971:  # Uniform Monday Holiday Act (Pub. L. 90-363)
        days += [
            (_nth_weekday(year, 2, mon, 3), "Washington's Birthday", False),
            (_nth_weekday(year, 5, mon, -1), "Memorial Day", False),
            (_nth_weekday(year, 10, mon, 2), "Columbus Day", False),
        ]
    else:
        days += [
            (date(year, 2, 22), "Washington's Birthday", True),
            (date(year, 5, 30), "Memorial Day", True),
            (date(year, 10, 12), "Columbus Day", True),
        ]
    if 1971 <= year <= 1977:
        days.append((_nth_weekday(year, 10, mon, 4), "Veterans Day", False))
    else:
        days.append((date(year, 11, 11), "Veterans Day", True))
    if year >= 1986:
        days.append((_nth_weekday(year, 1, mon, 3), "Martin Luther King Jr. Day", False))
    if year >= 2021:
        days.append((date(year, 6, 19), "Juneteenth", True))
    if year >= 2005:
        days.append((date(year, 4, 16), "DC Emancipation Day", True))
    if year >= 1965 and (year - 1965) % 4 == 0:
        inauguration = date(year, 1, 20)
        if inauguration.weekday() == 6:
            inauguration = date(year, 1, 21)
        days.append((inauguration, "Inauguration Day (DC)", False))
    return days


@functools.cache
def legal_holidays(year: int) -> Mapping[date, str]:
    """Observed legal holidays falling in ``year`` (IRC 7503 model; see module docstring)."""
    result: dict[date, str] = {}
    for y in (year, year + 1):  # New Year's Day on a Saturday is observed on 31 December
        for day, name, observe in _actual_holidays(y):
            shown = _observed(day) if observe else day
            if shown.year == year:
                result.setdefault(shown, name)
    return types.MappingProxyType(result)


def is_business_day(day: date) -> bool:
    """Not a Saturday, Sunday or legal holiday."""
    return day.weekday() < 5 and day not in legal_holidays(day.year)


def roll_forward(day: date) -> date:
    """IRC 7503: the first day on or after ``day`` that is a business day."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


# --------------------------------------------------------------------------------------------
# Posting cycles

_THURSDAY = 3
DAY_CODES: dict[int, str] = {1: "Fri", 2: "Mon", 3: "Tue", 4: "Wed", 5: "Thu", 8: "weekly-only"}
_DAY_OFFSET = {1: 0, 2: 3, 3: 4, 4: 5, 5: 6}  # days after the Friday that starts the week
_CODE_FOR_WEEKDAY = {4: 1, 5: 2, 6: 2, 0: 2, 1: 3, 2: 4, 3: 5}  # date.weekday() -> day code
_RANK = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, None: 6, 8: 7}  # order within a week


def _first_thursday(year: int) -> date:
    jan1 = date(year, 1, 1)
    return jan1 + timedelta(days=(_THURSDAY - jan1.weekday()) % 7)


def cycles_in_year(year: int) -> int:
    """52 or 53: the number of Thursdays in the year."""
    return 53 if (date(year, 12, 31) - _first_thursday(year)).days >= 52 * 7 else 52


@functools.total_ordering
@dataclass(frozen=True, eq=True)
class Cycle:
    """A posting cycle: ``YYYYCC`` (weekly, ``day`` is None) or ``YYYYCCDD`` (daily)."""

    year: int
    week: int
    day: int | None = None

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidInput("cycle", f"year must be {MIN_YEAR}-{MAX_YEAR}", self.year)
        weeks = cycles_in_year(self.year)
        if not 1 <= self.week <= weeks:
            raise InvalidInput("cycle", f"cycle week must be 01-{weeks} in {self.year}", self.week)
        if self.day is not None and self.day not in DAY_CODES:
            raise InvalidInput("cycle", "day code must be 01, 02, 03, 04, 05 or 08", self.day)

    @classmethod
    def parse(cls, text: str) -> Cycle:
        """Parse ``YYYYCC`` or ``YYYYCCDD`` (surrounding blanks ignored)."""
        raw = text.strip()
        if len(raw) not in (6, 8) or not raw.isdigit() or not raw.isascii():
            raise InvalidInput("cycle", "must be 6 digits YYYYCC or 8 digits YYYYCCDD", text)
        day = int(raw[6:]) if len(raw) == 8 else None
        return cls(int(raw[:4]), int(raw[4:6]), day)

    @classmethod
    def for_date(cls, day: date, daily: bool = True) -> Cycle:
        """The cycle in which work dated ``day`` posts (Sat/Sun post on Monday's run, 02)."""
        thursday = day + timedelta(days=(_THURSDAY - day.weekday()) % 7)
        week = (thursday.timetuple().tm_yday - 1) // 7 + 1
        code = _CODE_FOR_WEEKDAY[day.weekday()] if daily else None
        return cls(thursday.year, week, code)

    @property
    def thursday(self) -> date:
        """The Thursday that closes the cycle week."""
        return _first_thursday(self.year) + timedelta(weeks=self.week - 1)

    @property
    def weekly(self) -> Cycle:
        """The weekly cycle ``YYYYCC`` this cycle belongs to."""
        return Cycle(self.year, self.week)

    @property
    def posting_date(self) -> date:
        """The run date: the coded day for daily cycles, the Thursday otherwise."""
        if self.day in _DAY_OFFSET:
            return self.thursday - timedelta(days=6 - _DAY_OFFSET[self.day])
        return self.thursday

    def dates(self) -> tuple[date, ...]:
        """Calendar days whose work posts in this cycle (day 02 covers Sat-Mon)."""
        if self.day not in _DAY_OFFSET:
            return tuple(self.thursday - timedelta(days=6 - i) for i in range(7))
        end = self.posting_date
        span = 3 if self.day == 2 else 1
        return tuple(end - timedelta(days=span - 1 - i) for i in range(span))

    def plus_weeks(self, weeks: int) -> Cycle:
        """The same day code ``weeks`` cycles later (or earlier if negative)."""
        moved = Cycle.for_date(self.thursday + timedelta(weeks=weeks), daily=False)
        return Cycle(moved.year, moved.week, self.day)

    def next(self) -> Cycle:
        """The following cycle: next posting day for day codes 01-05, else the next week."""
        if self.day in (1, 2, 3, 4):
            return Cycle(self.year, self.week, self.day + 1)
        if self.day == 5:
            following = self.plus_weeks(1)
            return Cycle(following.year, following.week, 1)
        return self.plus_weeks(1)

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.week, _RANK[self.day])

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Cycle):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        head = f"{self.year:04d}{self.week:02d}"
        return head if self.day is None else f"{head}{self.day:02d}"
