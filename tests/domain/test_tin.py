"""TIN parsing and validation: domain.md §6.2 vectors, §2.2 ranges, properties."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.us import itin as stdnum_itin
from stdnum.us import ssn as stdnum_ssn

from idrs.domain import InvalidTin, Tin, TinKind, parse_tin
from idrs.errors import InvalidInput

# domain.md §2.2, spelled out independently of the module under test.
ITIN = {*range(50, 66), *range(70, 89), 90, 91, 92, *range(94, 100)}
IRSN = {*range(1, 11), 17, 18, 19, 28, 29, 37, 38, 39}
EIN_VALID = {
    *(10, 12, 60, 67, 50, 53, 1, 2, 3, 4, 5, 6, 11, 13, 14, 16, 21, 22, 23, 25, 34, 51, 52),
    *(54, 55, 56, 57, 58, 59, 65, 30, 32, 35, 36, 37, 38, 61, 15, 24, 40, 44, 94, 95, 80, 90),
    *(33, 39, 41, 42, 43, 46, 48, 62, 63, 64, 66, 68, 71, 72, 73, 74, 75, 76, 77, 85, 86, 87),
    *(88, 91, 92, 93, 98, 99, 20, 26, 27, 45, 47, 81, 82, 83, 84, 31),
}
EIN_NOT_ASSIGNED = {7, 8, 9, 17, 18, 19, 28, 29, 49, 69, 70, 78, 79, 89, 96, 97}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("123-45-6789", TinKind.SSN),
        ("734-12-3456", TinKind.SSN),
        ("912-70-1234", TinKind.ITIN),
        ("912-50-1234", TinKind.ITIN),
        ("912-65-1234", TinKind.ITIN),
        ("912-94-1234", TinKind.ITIN),
        ("912-93-1234", TinKind.ATIN),
        ("912-05-1234", TinKind.IRSN),
        ("12-3456789", TinKind.EIN),
        ("31-1234567", TinKind.EIN),
    ],
)
def test_reference_valid_vectors(text: str, kind: TinKind) -> None:
    tin = parse_tin(text)
    assert tin.kind is kind
    assert tin.formatted == text
    assert str(tin) == text
    assert tin.digits == text.replace("-", "")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("000-12-3456", "SSN area 000 is never issued"),
        ("666-12-3456", "SSN area 666 is never issued"),
        ("123-00-4567", "SSN group 00 is never issued"),
        ("123-45-0000", "SSN serial 0000 is never issued"),
        ("912-89-1234", "middle digits 89 is not an ITIN, ATIN or IRSN"),
        ("912-66-1234", "middle digits 66 is not an ITIN, ATIN or IRSN"),
        ("07-1234567", "EIN prefix 07 is not assigned"),
        ("49-1234567", "EIN prefix 49 is not assigned"),
        ("00-1234567", "EIN prefix 00 is not a valid IRS prefix"),
    ],
)
def test_reference_invalid_vectors(text: str, rule: str) -> None:
    with pytest.raises(InvalidTin, match=rule) as caught:
        parse_tin(text)
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.field == "TIN"
    assert str(caught.value).startswith("TIN: ")
    assert text not in str(caught.value)  # the number is not echoed


def test_area_000_message() -> None:
    with pytest.raises(InvalidTin) as caught:
        parse_tin("000-12-3456")
    assert str(caught.value) == "TIN: SSN area 000 is never issued"


def test_itin_hint_refuses_itin_89() -> None:
    with pytest.raises(InvalidTin, match="ITIN middle digits must be 50-65"):
        parse_tin("912891234", "itin")


@pytest.mark.parametrize("last", range(10))
def test_advertising_range_parses_flagged(last: int) -> None:
    tin = parse_tin(f"987-65-432{last}")
    assert tin.kind is TinKind.SSN
    assert tin.is_advertising
    assert parse_tin(f"98765432{last}", "ssn").is_advertising


def test_advertising_neighbours_are_not_flagged() -> None:
    assert not parse_tin("987-65-4330").is_advertising  # an ITIN (middle 65), outside range
    assert not parse_tin("98-7654321").is_advertising  # EIN prefix 98 with the same digits
    with pytest.raises(InvalidTin, match="area 900-999"):
        parse_tin("987-65-4330", "ssn")


@pytest.mark.parametrize(
    ("text", "hint", "kind"),
    [
        ("123456789", None, TinKind.SSN),
        ("123456789", "individual", TinKind.SSN),
        ("123456789", "ssn", TinKind.SSN),
        ("  123456789\t", "SSN", TinKind.SSN),
        ("123456789", "ein", TinKind.EIN),
        ("123456789", "business", TinKind.EIN),
        ("123456789", TinKind.EIN, TinKind.EIN),
        ("912701234", None, TinKind.ITIN),
        ("912701234", "itin", TinKind.ITIN),
        ("912931234", "atin", TinKind.ATIN),
        ("912051234", "irsn", TinKind.IRSN),
        (" 12-3456789 ", "business", TinKind.EIN),
    ],
)
def test_bare_digits_and_hints(text: str, hint: str | TinKind | None, kind: TinKind) -> None:
    assert parse_tin(text, hint).kind is kind


@pytest.mark.parametrize(
    ("text", "hint", "rule"),
    [
        ("123-45-6789", "ein", "EIN is written NN-NNNNNNN"),
        ("12-3456789", "ssn", "SSN is written NNN-NN-NNNN"),
        ("12-3456789", "itin", "ITIN is written NNN-NN-NNNN"),
        ("12-3456789", "individual", "individual TIN is written NNN-NN-NNNN"),
        ("912701234", "ssn", "SSN area 900-999"),
        ("123456789", "itin", "ITIN must start with 9"),
        ("912701234", "atin", "ATIN middle digits must be 93"),
        ("912701234", "irsn", "IRSN middle digits must be 01-10"),
        ("071234567", "ein", "EIN prefix 07 is not assigned"),
    ],
)
def test_hint_conflicts_are_refused(text: str, hint: str, rule: str) -> None:
    with pytest.raises(InvalidTin, match=rule):
        parse_tin(text, hint)


def test_unknown_hint_names_the_field() -> None:
    with pytest.raises(InvalidTin, match="unknown TIN kind 'ptin'") as caught:
        parse_tin("123456789", "ptin")
    assert caught.value.field == "kind"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345678",
        "1234567890",
        "123 45 6789",
        "123-456789",
        "1234-56-789",
        "12345-6789",
        "123-45-678a",
        "١٢٣٤٥٦٧٨٩",  # non-ASCII digits
        "123-45-6789x",
    ],
)
def test_malformed_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidTin, match="must be NNN-NN-NNNN, NN-NNNNNNN or nine digits"):
        parse_tin(text)


@pytest.mark.parametrize(("text", "kind"), [("912-93-1234", "ATIN"), ("912-05-1234", "IRSN")])
def test_filer_refuses_atin_and_irsn(text: str, kind: str) -> None:
    tin = parse_tin(text)
    assert not tin.is_filer_tin
    with pytest.raises(InvalidTin, match=f"{kind} cannot be used as a filer's TIN"):
        parse_tin(text, filer=True)


@pytest.mark.parametrize("text", ["123-45-6789", "912-70-1234", "12-3456789"])
def test_filer_accepts_ssn_itin_ein(text: str) -> None:
    tin = parse_tin(text, filer=True)
    assert tin.is_filer_tin


def test_masked_and_repr_hide_all_but_last_four() -> None:
    ssn, ein = parse_tin("123-45-6789"), parse_tin("12-3456789")
    assert ssn.masked == "XXX-XX-6789"
    assert ein.masked == "XX-XXX6789"
    assert "12345" not in repr(ssn) and "6789" in repr(ssn)
    assert "3456789" not in repr(ein)


def test_direct_construction_is_validated() -> None:
    assert Tin("123456789", TinKind.SSN) == parse_tin("123-45-6789")
    assert Tin("123456789", "EIN").kind is TinKind.EIN  # type: ignore[arg-type]
    with pytest.raises(InvalidTin, match="SSN group 00"):
        Tin("123004567", TinKind.SSN)
    with pytest.raises(InvalidTin, match="must be nine digits"):
        Tin("12345678", TinKind.SSN)


def test_stdnum_misused_numbers_are_refused() -> None:
    for number in sorted(stdnum_ssn._ssn_blacklist):  # read, never spelled out here
        with pytest.raises(InvalidTin, match="publicly misused"):
            parse_tin(number)


def test_public_api_exports() -> None:
    # A fresh interpreter: once idrs.domain.name_control is imported as a module, the package
    # attribute of that name is the module, so this must be checked before anything loads it.
    code = (
        "from idrs.domain import parse_tin, InvalidTin, name_control\n"
        "from idrs.errors import InvalidInput\n"
        "assert issubclass(InvalidTin, InvalidInput)\n"
        "print(parse_tin('12-3456789').masked, name_control('Ralph Teak', 'individual'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["XX-XXX6789", "TEAK"]


def test_ein_prefix_table_is_the_reference_union() -> None:
    valid = set()
    for prefix in range(100):
        try:
            parse_tin(f"{prefix:02d}-1234567")
        except InvalidTin as error:
            expected = "not assigned" if prefix in EIN_NOT_ASSIGNED else "not a valid IRS prefix"
            assert expected in str(error)
        else:
            valid.add(prefix)
    assert valid == EIN_VALID


def test_stdnum_itin_lacks_only_50_to_65() -> None:
    known = {m for m in range(100) if stdnum_itin.is_valid(f"900{m:02d}1234")}
    assert ITIN - known == set(range(50, 66))
    assert known <= ITIN


@given(
    st.integers(1, 899).filter(lambda a: a != 666),
    st.integers(1, 99),
    st.integers(1, 9999),
)
def test_valid_ssn_components_round_trip(area: int, group: int, serial: int) -> None:
    digits = f"{area:03d}{group:02d}{serial:04d}"
    if not stdnum_ssn.is_valid(digits):  # the three misused numbers, tested above
        return
    tin = parse_tin(digits)
    assert tin.kind is TinKind.SSN and tin.is_filer_tin and not tin.is_advertising
    assert parse_tin(tin.formatted) == tin
    assert tin.masked == f"XXX-XX-{serial:04d}"


@given(st.integers(900, 999), st.integers(0, 99), st.integers(0, 9999))
def test_nine_series_classified_by_middle_digits(area: int, middle: int, serial: int) -> None:
    digits = f"{area}{middle:02d}{serial:04d}"
    if digits.startswith("98765432"):
        return  # advertising range, tested above
    expected = (
        TinKind.ITIN
        if middle in ITIN
        else TinKind.ATIN
        if middle == 93
        else TinKind.IRSN
        if middle in IRSN
        else None
    )
    if expected is None:
        with pytest.raises(InvalidTin, match="is not an ITIN, ATIN or IRSN"):
            parse_tin(digits)
    else:
        tin = parse_tin(digits)
        assert tin.kind is expected
        assert parse_tin(tin.formatted, expected) == tin


@given(st.sampled_from(sorted(EIN_VALID)), st.integers(0, 9_999_999))
def test_ein_round_trip(prefix: int, serial: int) -> None:
    tin = parse_tin(f"{prefix:02d}{serial:07d}", "ein")
    assert tin.formatted == f"{prefix:02d}-{serial:07d}"
    assert parse_tin(tin.formatted) == tin
    assert tin.masked == f"XX-XXX{serial % 10000:04d}"
