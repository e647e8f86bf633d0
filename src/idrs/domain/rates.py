"""Quarterly interest rates (IRC 6621), loaded from the packaged table ``data/interest_rates.csv``.

Why a table and not a formula: the rate is the federal short-term rate + 3 points rounded to a
whole percent, fixed each quarter from the FST rate of the first month of the preceding quarter
and announced by IRS news release / revenue ruling (domain.md §4.1). We store the announced
non-corporate underpayment rate per quarter with its announcement as ``source``; a rate is a
published fact, not something we recompute.

Rows and their standing, from the reference table (domain.md §4.1):

* 2019 Q1 - 2026 Q1: tied to an IR and/or Rev. Rul.; 2024 Q3 names only IR-2024-138
  (**[Rev. Rul. number not confirmed]**).
* 2026 Q2 (6%): **secondary source only [verify]** (domain.md §7 item 5).
* After the last published quarter the last rate carries forward with ``provisional=True``;
  before 2019-01-01 there is no table and :meth:`RateTable.rate_on` raises.

Other rate kinds are fixed offsets from the non-corporate rate, exactly as §4.1 states them
(checked there against Q1 2025, Q4 2022 and Q3 2020):

==================================  ======  ==========================================
kind                                offset  meaning
==================================  ======  ==========================================
``individual``                      0       non-corporate under- and overpayment (FST+3)
``large_corporate_underpayment``    +2      corporate underpayment > $100,000 (FST+5)
``corporate_overpayment``           -1      corporate overpayment (FST+2)
``corporate_overpayment_over_10k``  -2.5    part of a corporate overpayment > $10,000
==================================  ======  ==========================================
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Literal

from idrs.errors import ConfigurationError, InvalidInput

__all__ = ["KIND_OFFSETS", "Rate", "RateKind", "RateTable", "quarter_start", "rate_table"]

RateKind = Literal[
    "individual",
    "large_corporate_underpayment",
    "corporate_overpayment",
    "corporate_overpayment_over_10k",
]

KIND_OFFSETS: dict[str, Decimal] = {
    "individual": Decimal(0),
    "large_corporate_underpayment": Decimal(2),
    "corporate_overpayment": Decimal(-1),
    "corporate_overpayment_over_10k": Decimal("-2.5"),
}

_QUARTER_MONTHS = (1, 4, 7, 10)


def quarter_start(day: date) -> date:
    """First day of the calendar quarter containing ``day``."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


@dataclass(frozen=True, slots=True)
class Rate:
    """The annual rate (in percent) in force on a day, with where it came from."""

    percent: Decimal
    quarter_start: date
    source: str
    provisional: bool


class RateTable:
    """Contiguous quarterly rates; see the module docstring for coverage and carry-forward."""

    def __init__(self, rows: Iterable[tuple[date, Decimal, str]]) -> None:
        ordered = sorted(rows)
        if not ordered:
            raise ConfigurationError("interest rate table is empty")
        for start, percent, source in ordered:
            if start.day != 1 or start.month not in _QUARTER_MONTHS:
                raise ConfigurationError(f"interest rate row {start} is not a quarter start")
            if not percent.is_finite() or percent < 0 or not source.strip():
                raise ConfigurationError(
                    f"interest rate row {start} needs a rate >= 0 and a source"
                )
        for before, after in pairwise(ordered):
            if after[0] != _next_quarter(before[0]):
                raise ConfigurationError(
                    f"interest rate table has a gap or repeat after {before[0]}"
                )
        self._starts = [row[0] for row in ordered]
        self._rows = {row[0]: row for row in ordered}

    @property
    def first_day(self) -> date:
        """First day covered by a published rate (2019-01-01 for the packaged table)."""
        return self._starts[0]

    @property
    def last_published(self) -> date:
        """Start of the last quarter with a published rate."""
        return self._starts[-1]

    def rate_on(self, day: date, kind: RateKind = "individual") -> Rate:
        """The rate in force on ``day`` for ``kind`` (default: non-corporate underpayment).

        ``quarter_start`` is the quarter containing ``day`` even when the rate is carried
        forward (``provisional=True``) from the last published quarter.
        """
        if kind not in KIND_OFFSETS:
            raise InvalidInput("kind", f"must be one of {', '.join(KIND_OFFSETS)}", kind)
        if day < self.first_day:
            raise InvalidInput(
                "date", f"no rate table before {self.first_day.isoformat()}", day.isoformat()
            )
        start = quarter_start(day)
        provisional = start > self.last_published
        _, percent, source = self._rows[self.last_published if provisional else start]
        if provisional:
            source = f"carried forward from {self.last_published.isoformat()} ({source})"
        return Rate(percent + KIND_OFFSETS[kind], start, source, provisional)


def _parse(text: str) -> list[tuple[date, Decimal, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["quarter_start", "percent", "source"]:
        raise ConfigurationError(f"interest_rates.csv: unexpected header {reader.fieldnames}")
    rows = []
    for line, rec in enumerate(reader, start=2):
        try:
            start = date.fromisoformat(rec["quarter_start"])
            rows.append((start, Decimal(rec["percent"]), rec["source"] or ""))
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise ConfigurationError(f"interest_rates.csv line {line}: {exc}") from exc
    return rows


@cache
def rate_table() -> RateTable:
    """The packaged non-corporate rate table (read once, then cached)."""
    resource = files("idrs.domain").joinpath("data/interest_rates.csv")
    return RateTable(_parse(resource.read_text(encoding="utf-8")))
