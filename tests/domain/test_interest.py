"""Daily-compounded underpayment interest (IRC 6622; domain.md §4.1, vectors §6.3).

Imports come from the submodule: ``idrs.domain.interest`` is both a module and an exported
function name, so ``from idrs.domain import interest`` yields the module once the submodule
has been imported (see test_public_api_in_a_fresh_interpreter).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from idrs.domain.interest import InterestResult, RateSegment, interest, interest_detail
from idrs.domain.rates import RateTable
from idrs.errors import InvalidInput

DAYS = st.dates(min_value=date(2018, 12, 31), max_value=date(2028, 12, 31))
PRINCIPAL = st.integers(min_value=0, max_value=10**11)


def _compound(principal: int, *pieces: tuple[str, int, int]) -> int:
    """Reference computation: (annual percent, divisor, days) pieces, round half up."""
    with localcontext() as ctx:
        ctx.prec = 50
        factor = Decimal(1)
        for pct, divisor, days in pieces:
            factor *= (1 + Decimal(pct) / 100 / divisor) ** days
        return int((principal * factor - principal).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


@pytest.mark.parametrize(
    ("case", "principal", "start", "end", "cents"),
    [
        ("A", 1_000_000, date(2024, 12, 31), date(2025, 12, 31), 72501),
        ("B", 100_000, date(2023, 12, 31), date(2024, 12, 31), 8328),
        ("B2", 1_000_000, date(2023, 12, 31), date(2024, 12, 31), 83278),
    ],
)
def test_reference_vectors(case: str, principal: int, start: date, end: date, cents: int) -> None:
    assert interest(principal, start, end) == cents, case


def test_leap_year_uses_366_divisor() -> None:
    with_366 = _compound(1_000_000, ("8", 366, 366))
    with_365 = _compound(1_000_000, ("8", 365, 366))
    assert with_366 != with_365
    assert interest(1_000_000, date(2023, 12, 31), date(2024, 12, 31)) == with_366


def test_detail_reports_days_and_merged_rate_segments() -> None:
    result = interest_detail(1_000_000, date(2023, 9, 15), date(2025, 1, 10))
    assert isinstance(result, InterestResult)
    assert result.days == (date(2025, 1, 10) - date(2023, 9, 15)).days
    assert result.rates == (
        RateSegment(date(2023, 9, 16), date(2023, 9, 30), Decimal(7), False),
        RateSegment(date(2023, 10, 1), date(2024, 12, 31), Decimal(8), False),
        RateSegment(date(2025, 1, 1), date(2025, 1, 10), Decimal(7), False),
    )
    expected = _compound(1_000_000, ("7", 365, 15), ("8", 365, 92), ("8", 366, 366), ("7", 365, 10))
    assert result.cents == expected
    assert result.provisional is False and result.note == ""


def test_provisional_rate_is_flagged() -> None:
    result = interest_detail(500_000, date(2026, 6, 1), date(2026, 8, 1))
    assert result.provisional is True
    assert result.note == "computed with a provisional rate"
    assert result.rates[-1] == RateSegment(date(2026, 7, 1), date(2026, 8, 1), Decimal(6), True)
    assert result.cents == _compound(500_000, ("6", 365, 61))


def test_kind_and_table_can_be_chosen() -> None:
    start, end = date(2024, 12, 31), date(2025, 12, 31)
    assert interest_detail(1_000_000, start, end, kind="corporate_overpayment").cents == (
        _compound(1_000_000, ("6", 365, 365))
    )
    flat = RateTable([(date(2019, 1, 1), Decimal(10), "test")])
    assert interest_detail(1_000_000, start, end, table=flat).cents == _compound(
        1_000_000, ("10", 365, 365)
    )


def test_first_day_without_a_rate_is_refused() -> None:
    assert interest(100_000, date(2018, 12, 31), date(2019, 1, 1)) == _compound(
        100_000, ("6", 365, 1)
    )
    with pytest.raises(InvalidInput, match="no rate table before 2019-01-01"):
        interest(100_000, date(2018, 12, 30), date(2019, 1, 1))


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvalidInput, match="end date must not be before start date"):
        interest(100, date(2025, 1, 2), date(2025, 1, 1))
    with pytest.raises(InvalidInput, match="must not be negative") as err:
        interest(-1, date(2025, 1, 1), date(2025, 1, 2))
    assert err.value.field == "principal"
    with pytest.raises(InvalidInput, match="whole cents"):
        interest(10.0, date(2025, 1, 1), date(2025, 1, 2))  # type: ignore[arg-type]


@given(PRINCIPAL, DAYS)
def test_zero_for_an_empty_period(principal: int, day: date) -> None:
    result = interest_detail(principal, day, day)
    assert (result.cents, result.days, result.rates) == (0, 0, ())


@given(PRINCIPAL, DAYS, DAYS, DAYS)
def test_non_negative_and_monotone_in_end_date(principal: int, a: date, b: date, c: date) -> None:
    start, mid, end = sorted((a, b, c))
    earlier = interest(principal, start, mid)
    later = interest(principal, start, end)
    assert 0 <= earlier <= later


@given(PRINCIPAL, DAYS, DAYS, DAYS)
def test_additive_by_compounding(principal: int, a: date, b: date, c: date) -> None:
    start, mid, end = sorted((a, b, c))
    assume((end - start).days <= 6 * 366)  # keeps the (b, c] factor < 2, so error <= 1 cent
    first = interest(principal, start, mid)
    rest = interest(principal + first, mid, end)
    assert abs(first + rest - interest(principal, start, end)) <= 1


@given(st.integers(min_value=1, max_value=10**9), DAYS, st.integers(min_value=1, max_value=400))
def test_positive_principal_and_days_accrue_at_least_simple_interest(
    principal: int, start: date, days: int
) -> None:
    end = start + timedelta(days=days)
    simple = Decimal(principal) * Decimal(3) / 100 * days / 366  # 3% is the lowest rate on file
    assert interest(principal, start, end) >= int(simple)


def test_public_api_in_a_fresh_interpreter() -> None:
    code = (
        "from datetime import date\n"
        "from idrs.domain import interest, ftf_penalty, ftp_penalty, ased, csed, rsed, "
        "format_cents, parse_amount, rate_table, interest_detail, InterestResult\n"
        "r = interest(1_000_000, date(2024, 12, 31), date(2025, 12, 31))\n"
        "assert r == 72501, r\n"
        "d = interest_detail(1, date(2025, 1, 1), date(2025, 1, 1))\n"
        "assert isinstance(d, InterestResult)\n"
        "assert format_cents(-parse_amount('1,234.56')) == '1,234.56-'\n"
        "assert rate_table().rate_on(date(2025, 1, 1)).percent == 7\n"
        "assert csed(date(2025, 4, 7)) == date(2035, 4, 7)\n"
        "assert all(callable(f) for f in (ftf_penalty, ftp_penalty, ased, rsed))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
