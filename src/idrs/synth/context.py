"""What every household generator needs to know about the run: seed, as-of date, year ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from idrs.domain.mft import return_due_date
from idrs.domain.periods import TaxPeriod
from idrs.synth.identifiers import TinMaker

FIRST_TAX_YEAR = 2019
# at most this many tax years: a DLN's year digit repeats after ten processing years
YEARS_KEPT = 8


@dataclass(frozen=True)
class SynthConfig:
    """One population: its size, seed and as-of date; ``chunk_size`` only changes batching."""

    taxpayers: int
    seed: int
    as_of: date
    chunk_size: int = 1000


class Context:
    """Derived, read-only facts shared by every household of one run."""

    def __init__(self, config: SynthConfig) -> None:
        self.config = config
        self.seed = config.seed
        self.as_of = config.as_of
        self.tins = TinMaker(config.seed)
        first = max(FIRST_TAX_YEAR, config.as_of.year - YEARS_KEPT)
        self.first_year = first
        # 1040s "for tax years 2019 onward up to the last year whose due date is before as-of"
        self.years_1040 = tuple(
            y
            for y in range(first, config.as_of.year)
            if return_due_date(30, TaxPeriod(y, 12)) < config.as_of
        )
        # information returns arrive by 31 January (W-2) / mid-February (1099-INT/DIV)
        self.info_years = tuple(
            y for y in range(first, config.as_of.year) if date(y + 1, 1, 31) <= config.as_of
        )
