"""Routing and account numbers: domain.md §6.2 vectors and the ABA check-digit property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idrs.domain import InvalidBankAccount, validate_account_number, validate_routing_number
from idrs.errors import InvalidInput

ALLOWED_SYMBOLS = [0, *range(1, 13), *range(21, 33), *range(61, 73), 80]


def aba_check_digit(first_eight: str) -> str:
    """The reference's 3-7-1 rule, written out independently of stdnum."""
    d = [int(c) for c in first_eight]
    partial = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
    return str(-partial % 10)


@pytest.mark.parametrize("number", ["021000021", "111000025", "123123123", "076401251"])
def test_reference_valid_routing_numbers(number: str) -> None:
    assert validate_routing_number(number) == number
    assert validate_routing_number(f"  {number}\n") == number


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("021000022", "ABA check digit is wrong"),
        ("02100002", "must be nine digits"),
        ("0210000210", "must be nine digits"),
        ("0210-0002-1", "must be nine digits"),
        ("02100002a", "must be nine digits"),
        ("", "must be nine digits"),
        ("131000020", "first two digits 13 are not a routing symbol"),
        ("500000007", "first two digits 50 are not a routing symbol"),
        ("810000007", "first two digits 81 are not a routing symbol"),
    ],
)
def test_invalid_routing_numbers(text: str, rule: str) -> None:
    with pytest.raises(InvalidBankAccount, match=rule) as caught:
        validate_routing_number(text)
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.field == "routing_number"
    assert str(caught.value).startswith("routing_number: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "1"),
        ("12345678901234567", "12345678901234567"),
        ("1234 5678-90AB", "1234567890AB"),
        (" abc123 ", "abc123"),
    ],
)
def test_valid_account_numbers(text: str, expected: str) -> None:
    assert validate_account_number(text) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "must not be empty"),
        (" - ", "must not be empty"),
        ("123456789012345678", "at most 17 letters or digits"),
        ("1234/5678", "only letters, digits, spaces and hyphens"),
        ("12345é", "only letters, digits, spaces and hyphens"),
        ("１２３", "only letters, digits, spaces and hyphens"),  # full-width digits
    ],
)
def test_invalid_account_numbers(text: str, rule: str) -> None:
    with pytest.raises(InvalidBankAccount, match=rule) as caught:
        validate_account_number(text)
    assert caught.value.field == "account_number"
    if text:
        assert text not in str(caught.value)  # the number is not echoed


def test_check_digit_helper_matches_reference_vectors() -> None:
    for number in ["021000021", "111000025", "123123123", "076401251"]:
        assert aba_check_digit(number[:8]) == number[8]


@given(st.sampled_from(ALLOWED_SYMBOLS), st.integers(0, 999_999))
def test_check_digit_makes_valid_and_any_single_change_invalid(symbol: int, rest: int) -> None:
    first_eight = f"{symbol:02d}{rest:06d}"
    number = first_eight + aba_check_digit(first_eight)
    assert validate_routing_number(number) == number
    for position in range(9):
        for digit in "0123456789".replace(number[position], ""):
            changed = number[:position] + digit + number[position + 1 :]
            with pytest.raises(InvalidBankAccount):
                validate_routing_number(changed)
