"""Canonical JSON: byte-identical to the ``rfc8785`` package over our restricted domain."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from idrs.audit.canonical import MAX_SAFE_INTEGER, CanonicalError, canonical_json, loads_canonical

# Characters that exercise escaping and UTF-16 key ordering: C0 controls, DEL, quote,
# backslash, U+2028/2029, the BMP private-use block (sorts after astral chars in UTF-16) and
# astral characters.
TRICKY = st.sampled_from(
    [chr(c) for c in range(0x20)]
    + ['"', "\\", "/", "\x7f", "\u2028", "\u2029", "\ue000", "\uffff", "\U0001f600", "\U00010000"]
)
TEXT = st.text(st.one_of(TRICKY, st.characters(codec="utf-8")), max_size=12)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
    st.sampled_from([0, -1, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]),
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=25,
)


@given(VALUES)
def test_matches_rfc8785_package(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@given(VALUES)
def test_round_trips_and_is_recognised_as_canonical(value: object) -> None:
    data = canonical_json(value)
    assert json.loads(data) == value
    assert loads_canonical(data) == value


def test_known_encodings() -> None:
    value = {"b": [True, None, -5], "a": '\u2028\x1f\x7f\n"\\', "\U0001f600": 1, "\ue000": 2}
    want = '{"a":"\u2028\\u001f\x7f\\n\\"\\\\","b":[true,null,-5],"\U0001f600":1,"\ue000":2}'
    assert canonical_json(value) == want.encode()


def test_keys_sort_by_utf16_code_units_not_code_points() -> None:
    # U+E000 > U+1F600 as code points, but its one UTF-16 unit (E000) < the high surrogate D83D.
    assert sorted(["\ue000", "\U0001f600"]) == ["\ue000", "\U0001f600"]
    assert canonical_json({"\ue000": 0, "\U0001f600": 0}).decode().index("\U0001f600") == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"rows": [1, 2.5]}, r"^event\.rows\[1\]: floats are not allowed$"),
        ({"rows": 1.0}, r"^event\.rows: floats are not allowed$"),
        ({"a b": float("nan")}, r'^event\["a b"\]: floats are not allowed$'),
        ({"n": 2**53}, r"^event\.n: integer 9007199254740992 exceeds"),
        ({"n": -(2**53)}, r"^event\.n: integer -9007199254740992 exceeds"),
        ({1: "x"}, r"^event: object keys must be str"),
        ({"s": "a\ud800"}, r"^event\.s: lone surrogates are not allowed$"),
        ({"\udfff": 1}, r"lone surrogates are not allowed$"),
        ({"t": (1, 2)}, r"^event\.t: tuple is not allowed$"),
        ({"b": b"x"}, r"^event\.b: bytes is not allowed$"),
    ],
)
def test_rejects_values_outside_the_domain(value: object, message: str) -> None:
    with pytest.raises(CanonicalError, match=message):
        canonical_json(value, name="event")


def test_canonical_error_is_a_value_error() -> None:
    assert issubclass(CanonicalError, ValueError)


@pytest.mark.parametrize(
    "data",
    [b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":1.0}', b"[1e2]", b'"\\u0041"', b"\xff", b"{"],
)
def test_loads_canonical_rejects_non_canonical_bytes(data: bytes) -> None:
    with pytest.raises(CanonicalError):
        loads_canonical(data)


@given(VALUES)
def test_fast_path_and_reference_path_give_the_same_bytes(value: object) -> None:
    from idrs.audit import canonical

    out: list[str] = []
    canonical._encode(value, "value", out)
    assert canonical_json(value) == "".join(out).encode("utf-8")


def test_values_the_fast_path_declines_still_encode_or_refuse_by_path() -> None:
    from enum import StrEnum

    class Colour(StrEnum):
        RED = "red"

    assert canonical_json({"c": Colour.RED, "\ue000": 1, "\U00010000": 2}) == rfc8785.dumps(
        {"c": "red", "\ue000": 1, "\U00010000": 2}
    )
    with pytest.raises(CanonicalError, match=r"value\.a\[1\]: lone surrogates"):
        canonical_json({"a": ["ok", "\ud800"]})
    with pytest.raises(CanonicalError, match=r"value\.a: tuple is not allowed"):
        canonical_json({"a": (1, 2)})
    with pytest.raises(CanonicalError, match=r"exceeds"):
        canonical_json([MAX_SAFE_INTEGER + 1])
