"""FTF / FTP, IRC 6651 (domain.md §4.2, §4.3; vectors §6.3)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain.penalties import (
    ftf_minimum,
    ftf_penalty,
    ftp_penalty,
    months_late,
    penalties_for_return,
)
from idrs.domain.statutes import add_months
from idrs.errors import InvalidInput

DUE = date(2025, 4, 15)
CENTS = st.integers(min_value=0, max_value=10**10)
DUES = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@pytest.mark.parametrize(
    ("due", "when", "months"),
    [
        (DUE, DUE, 0),
        (DUE, DUE - timedelta(days=3), 0),
        (DUE, date(2025, 4, 16), 1),
        (DUE, date(2025, 5, 15), 1),
        (DUE, date(2025, 5, 16), 2),
        (date(2025, 1, 31), date(2025, 2, 28), 1),
        (date(2025, 1, 31), date(2025, 3, 1), 2),
        (date(2025, 1, 31), date(2025, 3, 31), 2),
        (date(2025, 1, 31), date(2025, 4, 1), 3),
        (DUE, date(2029, 6, 1), 50),
    ],
)
def test_month_counting(due: date, when: date, months: int) -> None:
    assert months_late(due, when) == months


def test_p1_ftf_only_view() -> None:  # $2,000 unpaid, 2 months late (56 days: no minimum)
    result = ftf_penalty(200_000, DUE, date(2025, 6, 10))
    assert (result.cents, result.months) == (20_000, 2)


def test_p2_one_month_late() -> None:  # $1,000: FTF $50 alone, $45 + $5 FTP combined
    filed = date(2025, 5, 10)
    assert ftf_penalty(100_000, DUE, filed).cents == 5_000
    both = penalties_for_return(100_000, DUE, filed, filed)
    assert (both.ftf.cents, both.ftp.cents, both.cents) == (4_500, 500, 5_000)


def test_p3_three_months_late_when_the_minimum_does_not_bite() -> None:
    # 31 Jan -> 1 Apr 2025 is 3 months (part month) but exactly 60 days: no minimum penalty.
    due, filed = date(2025, 1, 31), date(2025, 4, 1)
    both = penalties_for_return(100_000, due, filed, filed)
    assert (both.ftf.cents, both.ftp.cents, both.cents) == (13_500, 1_500, 15_000)


def test_p3_as_usually_dated_hits_the_minimum() -> None:
    # 15 Apr -> 15 Jul is 91 days: the 6651(a) minimum min($510, $1,000) replaces $135.
    both = penalties_for_return(100_000, DUE, date(2025, 7, 15), date(2025, 7, 15))
    assert (both.ftf.cents, both.ftp.cents) == (51_000, 1_500)
    assert any("minimum penalty" in note for note in both.ftf.notes)


@pytest.mark.parametrize(
    ("case", "due", "tax", "cents", "provisional"),
    [
        ("P4", DUE, 40_000, 40_000, False),
        ("P6", date(2026, 4, 15), 20_000, 20_000, False),
        ("2024", date(2024, 4, 15), 100_000, 48_500, False),
        ("2026 fixed", date(2026, 4, 15), 100_000, 52_500, False),
        ("2027 carried", date(2027, 4, 15), 100_000, 52_500, True),
    ],
)
def test_p4_p6_minimum_penalty(
    case: str, due: date, tax: int, cents: int, provisional: bool
) -> None:
    result = ftf_penalty(tax, due, due + timedelta(days=61))
    assert (result.cents, result.provisional) == (cents, provisional), case
    assert ftf_penalty(tax, due, due + timedelta(days=60)).cents == tax * 10 // 100  # 2 months


def test_minimum_before_the_table_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no FTF minimum-penalty amount on file") as err:
        ftf_penalty(100_000, date(2023, 4, 18), date(2023, 8, 1))
    assert err.value.field == "due"
    assert ftf_penalty(100_000, date(2023, 4, 18), date(2023, 5, 1)).cents == 5_000
    assert ftf_minimum(2025) == (51_000, False)


def test_p7_ftp_on_a_timely_return() -> None:
    result = ftp_penalty(1_000_000, DUE, date(2025, 10, 15))
    assert (result.cents, result.months) == (30_000, 6)


def test_p9_levy_notice_raises_rate_to_one_percent() -> None:
    # Notice 1 Jun 2025 -> day 11 Jun. Month 2 (16 May-15 Jun) starts before it: 0.5%.
    # Month 3 (16 Jun-15 Jul) starts after it: 1% from then on.
    result = ftp_penalty(1_000_000, DUE, date(2025, 9, 15), levy_notice_date=date(2025, 6, 1))
    assert result.monthly == (5_000, 5_000, 10_000, 10_000, 10_000)
    assert result.cents == 40_000
    capped = ftp_penalty(1_000_000, DUE, date(2035, 1, 1), levy_notice_date=date(2025, 6, 1))
    assert capped.cents == 250_000 and capped.months == 26


def test_p10_caps() -> None:
    five = penalties_for_return(1_000_000, DUE, date(2025, 9, 15), date(2025, 9, 15))
    assert (five.ftf.cents, five.ftp.cents) == (225_000, 25_000)  # 22.5% + 2.5%
    late = penalties_for_return(1_000_000, DUE, date(2026, 4, 1), date(2026, 4, 1))
    assert late.ftf.cents == 225_000 and late.ftf.months == 5
    assert ftf_penalty(1_000_000, DUE, date(2027, 1, 1)).cents == 250_000
    assert ftf_penalty(1_000_000, DUE, date(2027, 1, 1), fraudulent=True).cents == 750_000
    fifty = ftp_penalty(1_000_000, DUE, add_months(DUE, 50))
    assert (fifty.cents, fifty.months) == (250_000, 50)
    assert ftp_penalty(1_000_000, DUE, add_months(DUE, 80)).cents == 250_000


def test_payments_reduce_the_balance_from_the_next_month() -> None:
    payments = [(DUE, 200_000), (date(2025, 5, 1), 300_000), (date(2025, 5, 15), 100_000)]
    result = ftp_penalty(1_000_000, DUE, date(2025, 7, 1), payments)
    # month 1 on 8,000; month 2 on 4,000 (both later payments on/before 15 May); month 3 too
    assert result.monthly == (4_000, 2_000, 2_000)
    assert ftp_penalty(1_000_000, DUE, date(2026, 1, 1), [(date(2025, 6, 1), 1_000_000)]).cents == (
        10_000
    )


def test_installment_agreement_quarter_percent_for_timely_filers() -> None:
    ia = [(date(2025, 6, 20), None)]
    result = ftp_penalty(1_000_000, DUE, date(2025, 8, 15), installment_periods=ia)
    assert result.monthly == (5_000, 5_000, 2_500, 2_500)
    late_filer = ftp_penalty(
        1_000_000, DUE, date(2025, 8, 15), installment_periods=ia, timely_filed=False
    )
    assert late_filer.cents == 20_000
    ended = ftp_penalty(
        1_000_000,
        DUE,
        date(2025, 9, 15),
        installment_periods=[(date(2025, 6, 20), date(2025, 7, 10))],
    )
    assert ended.monthly == (5_000, 5_000, 2_500, 5_000, 5_000)


def test_invalid_inputs() -> None:
    with pytest.raises(InvalidInput, match="must not be negative"):
        ftf_penalty(-1, DUE, DUE)
    with pytest.raises(InvalidInput, match="must not be negative"):
        ftp_penalty(100, DUE, DUE, [(DUE, -5)])
    with pytest.raises(InvalidInput, match="end must not be before start"):
        ftp_penalty(100, DUE, DUE, installment_periods=[(DUE, DUE - timedelta(days=1))])
    with pytest.raises(InvalidInput, match="before the filing date"):
        penalties_for_return(100, DUE, date(2025, 6, 1), date(2025, 5, 1))


@given(CENTS, DUES, st.integers(min_value=-30, max_value=3000), st.booleans())
def test_ftf_bounds(net_due: int, due: date, late_days: int, fraud: bool) -> None:
    filed = due + timedelta(days=late_days)
    result = ftf_penalty(net_due, due, filed, fraudulent=fraud)
    cap = Decimal(net_due) * (Decimal("0.75") if fraud else Decimal("0.25"))
    assert 0 <= result.cents <= max(cap.to_integral_value(), net_due if late_days > 60 else 0)
    assert result.cents <= net_due
    if late_days <= 60:
        assert result.cents <= cap
    if late_days <= 0 or net_due == 0:
        assert result.cents == 0


@given(
    CENTS,
    DUES,
    st.integers(min_value=-30, max_value=4000),
    st.lists(st.tuples(st.integers(min_value=-60, max_value=2000), CENTS), max_size=4),
    st.one_of(st.none(), st.integers(min_value=-100, max_value=1000)),
)
def test_ftp_never_exceeds_a_quarter_of_the_tax(
    tax: int, due: date, days: int, pays: list[tuple[int, int]], levy: int | None
) -> None:
    payments = [(due + timedelta(days=d), amount) for d, amount in pays]
    notice = None if levy is None else due + timedelta(days=levy)
    result = ftp_penalty(tax, due, due + timedelta(days=days), payments, levy_notice_date=notice)
    assert 0 <= result.cents <= Decimal(tax) / 4 + Decimal("0.5")
    if days <= 0 or tax == 0:
        assert result.cents == 0


@given(
    st.integers(min_value=1, max_value=10**10),
    DUES,
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=0, max_value=400),
    st.lists(st.tuples(st.integers(min_value=-60, max_value=400), CENTS), max_size=3),
    st.one_of(st.none(), st.integers(min_value=-20, max_value=200)),
)
def test_combined_rate_at_most_five_percent_a_month(
    tax: int, due: date, late: int, extra: int, pays: list[tuple[int, int]], levy: int | None
) -> None:
    filed = due + timedelta(days=late)  # <= 60 days late, so no minimum penalty
    payments = [(due + timedelta(days=d), amount) for d, amount in pays]
    notice = None if levy is None else due + timedelta(days=levy)
    as_of = filed + timedelta(days=extra)
    both = penalties_for_return(tax, due, filed, as_of, payments, levy_notice_date=notice)
    net_due = max(tax - sum(a for d, a in payments if d <= due), 0)
    for k, ftf in enumerate(both.ftf.monthly):
        ftp = both.ftp.monthly[k] if k < len(both.ftp.monthly) else 0
        assert ftf + ftp <= Decimal(net_due) / 20
    assert both.ftf.cents <= round(Decimal(net_due) / 4)
