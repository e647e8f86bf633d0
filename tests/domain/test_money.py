"""Money: integer cents, IDRS display style, strict parsing, half-up rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain import format_cents, parse_amount
from idrs.domain.money import round_half_up
from idrs.errors import InvalidInput


@pytest.mark.parametrize(
    ("cents", "shown"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (123400, "1,234.00"),
        (123456789, "1,234,567.89"),
        (-123400, "1,234.00-"),
        (-5, "0.05-"),
    ],
)
def test_format_cents_idrs_style(cents: int, shown: str) -> None:
    assert format_cents(cents) == shown


def test_format_cents_leading_minus_on_request() -> None:
    assert format_cents(-123456, credit_minus=False) == "-1,234.56"
    assert format_cents(123456, credit_minus=False) == "1,234.56"


@pytest.mark.parametrize("bad", [1.5, True, Decimal("1.00"), "100"])
def test_format_cents_refuses_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_cents(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234", 123400),
        ("1,234.56", 123456),
        ("1234.5", 123450),
        ("-12.00", -1200),
        ("12.00-", -1200),
        ("$1,234.56", 123456),
        ("  $ 7.01 ", 701),
        ("-$3", -300),
        ("0", 0),
        ("1,000,000.00", 100000000),
    ],
)
def test_parse_amount_accepts(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    "text",
    ["", "abc", "1.", ".5", "1,23", "12,34.00", "1,2345", "-12.00-", "--1", "1e3", "१२", "1 000"],
)
def test_parse_amount_rejects_garbage(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_amount(text, field="payment")
    assert err.value.field == "payment"
    assert err.value.rule is not None and "amount like" in err.value.rule


def test_parse_amount_rejects_fractions_of_a_cent() -> None:
    with pytest.raises(InvalidInput, match="at most 2 decimal places") as err:
        parse_amount("1.005")
    assert err.value.field == "amount"


def test_parse_amount_range_is_inclusive() -> None:
    assert parse_amount("100.00", max_cents=10000) == 10000
    assert parse_amount("100.00-", max_cents=10000) == -10000
    with pytest.raises(InvalidInput, match="must be between"):
        parse_amount("100.01", max_cents=10000)
    with pytest.raises(InvalidInput, match="must be between"):
        parse_amount("1" * 39)


@pytest.mark.parametrize(
    ("value", "cents"),
    [("0.5", 1), ("1.49", 1), ("2.5", 3), ("-0.5", -1), ("-2.4", -2), ("72500.5", 72501)],
)
def test_round_half_up(value: str, cents: int) -> None:
    assert round_half_up(Decimal(value)) == cents


@given(st.integers(min_value=-(10**13), max_value=10**13), st.booleans())
def test_format_then_parse_round_trips(cents: int, credit_minus: bool) -> None:
    assert parse_amount(format_cents(cents, credit_minus=credit_minus)) == cents
