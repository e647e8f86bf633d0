"""Quarterly rate table (domain.md §4.1): packaged CSV, carry-forward, kinds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain import rate_table
from idrs.domain.rates import RateTable, quarter_start
from idrs.errors import ConfigurationError, InvalidInput


def test_csv_is_package_data_with_every_quarter() -> None:
    text = files("idrs.domain").joinpath("data/interest_rates.csv").read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    assert lines[0] == "quarter_start,percent,source"
    assert len(lines) - 1 == 30  # 2019 Q1 .. 2026 Q2


def test_table_is_cached() -> None:
    assert rate_table() is rate_table()
    assert rate_table().first_day == date(2019, 1, 1)
    assert rate_table().last_published == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("day", "percent", "source_part"),
    [
        (date(2019, 1, 1), 6, "Rev. Rul. 2018-32"),
        (date(2019, 9, 30), 5, "Rev. Rul. 2019-15"),
        (date(2022, 5, 15), 4, "Rev. Rul. 2022-5"),
        (date(2023, 12, 31), 8, "IR-2023-154"),
        (date(2024, 8, 1), 8, "Rev. Rul. number not confirmed"),
        (date(2025, 2, 28), 7, "Rev. Rul. 2024-25"),
        (date(2026, 3, 31), 7, "Rev. Rul. 2025-22"),
        (date(2026, 4, 1), 6, "secondary source only [verify]"),
    ],
)
def test_published_rows(day: date, percent: int, source_part: str) -> None:
    rate = rate_table().rate_on(day)
    assert rate.percent == percent
    assert source_part in rate.source
    assert rate.quarter_start == quarter_start(day)
    assert rate.provisional is False


@pytest.mark.parametrize(
    ("first", "last", "percent"),
    [
        (date(2019, 1, 1), date(2019, 6, 30), 6),
        (date(2019, 7, 1), date(2020, 6, 30), 5),
        (date(2020, 7, 1), date(2022, 3, 31), 3),
        (date(2023, 1, 1), date(2023, 9, 30), 7),
        (date(2023, 10, 1), date(2024, 12, 31), 8),
    ],
)
def test_cross_check_with_cbp_federal_register_periods(
    first: date, last: date, percent: int
) -> None:
    day = first
    while day <= last:
        assert rate_table().rate_on(day).percent == percent
        day += timedelta(days=30)
    assert rate_table().rate_on(last).percent == percent


def test_after_last_quarter_rate_carries_forward_provisionally() -> None:
    rate = rate_table().rate_on(date(2027, 11, 5))
    assert rate.percent == 6
    assert rate.provisional is True
    assert rate.quarter_start == date(2027, 10, 1)
    assert "carried forward from 2026-04-01" in rate.source
    assert rate_table().rate_on(date(2026, 6, 30)).provisional is False
    assert rate_table().rate_on(date(2026, 7, 1)).provisional is True


def test_no_rate_before_2019() -> None:
    with pytest.raises(InvalidInput, match="no rate table before 2019-01-01"):
        rate_table().rate_on(date(2018, 12, 31))


@pytest.mark.parametrize(
    ("day", "corp_over", "corp_over_10k", "large_corp"),
    [
        (date(2025, 1, 1), "6", "4.5", "9"),  # IRB 2024-49
        (date(2022, 10, 1), "5", "3.5", "8"),  # Rev. Rul. 2022-15
        (date(2020, 7, 1), "2", "0.5", "5"),  # IR-2020-113
    ],
)
def test_kind_offsets_match_published_examples(
    day: date, corp_over: str, corp_over_10k: str, large_corp: str
) -> None:
    table = rate_table()
    assert table.rate_on(day, "corporate_overpayment").percent == Decimal(corp_over)
    assert table.rate_on(day, "corporate_overpayment_over_10k").percent == Decimal(corp_over_10k)
    assert table.rate_on(day, "large_corporate_underpayment").percent == Decimal(large_corp)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidInput, match="must be one of"):
        rate_table().rate_on(date(2025, 1, 1), "trust")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "empty"),
        ([(date(2019, 2, 1), Decimal(6), "x")], "not a quarter start"),
        ([(date(2019, 1, 1), Decimal(-1), "x")], "rate >= 0"),
        ([(date(2019, 1, 1), Decimal(6), " ")], "source"),
        ([(date(2019, 1, 1), Decimal(6), "x"), (date(2019, 7, 1), Decimal(5), "y")], "gap"),
        ([(date(2019, 1, 1), Decimal(6), "x"), (date(2019, 1, 1), Decimal(5), "y")], "gap"),
    ],
)
def test_malformed_tables_are_configuration_errors(
    rows: list[tuple[date, Decimal, str]], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        RateTable(rows)


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2040, 12, 31)))
def test_every_day_has_a_rate_in_its_own_quarter(day: date) -> None:
    rate = rate_table().rate_on(day)
    assert rate.quarter_start <= day < rate.quarter_start + timedelta(days=93)
    assert rate.quarter_start.month in (1, 4, 7, 10) and rate.quarter_start.day == 1
    assert rate.provisional == (day >= date(2026, 7, 1))
    assert Decimal(3) <= rate.percent <= Decimal(8)
