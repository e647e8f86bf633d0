"""Input-screen fields: the line a transmit sends reads back field for field, and the layout
stays inside 80 columns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from idrs.commands.line import split_line
from idrs.terminal.fields import Field, build_line, overlay, pack, prompt_pattern, quote


def test_line_from_prefilled_key_and_keyed_fields() -> None:
    fields = [
        Field("TIN", "802-22-0200"), Field("MFT", "30"), Field("TXPRD", "202412"),
        Field("TC", "291"), Field("AMT", "1,000.00-"), Field("RSN-CDS", ""),
        Field("REMARKS", "PER TP CALL"),
    ]  # fmt: skip
    line = build_line("ADJ54", ("ignored",), fields)
    assert line == 'ADJ54 802-22-0200 30 202412 TC>291 AMT>1,000.00- REMARKS>"PER TP CALL"'
    parsed = split_line(line)
    assert parsed.code == "ADJ54"
    assert parsed.operands == ("802-22-0200", "30", "202412")
    assert parsed.fields == {"TC": "291", "AMT": "1,000.00-", "REMARKS": "PER TP CALL"}


def test_without_key_fields_the_research_operands_are_sent() -> None:
    line = build_line("INCHG", ("802-22-0200",), [Field("TC", "014"), Field("ST", "VA")])
    assert line == "INCHG 802-22-0200 TC>014 ST>VA"


@given(
    st.text(alphabet=st.characters(codec="ascii", categories=("L", "N", "P", "Zs")), max_size=30)
)
def test_any_value_reads_back_as_typed(value: str) -> None:
    line = build_line("INCHG", ("802-22-0200",), [Field("REMARKS", value)])
    assert split_line(line).fields.get("REMARKS", "") == value.strip()
    assert quote("PLAIN") == "PLAIN"


def test_pack_wraps_at_80_columns_and_overlay_replaces_prompt_lines() -> None:
    fields = [Field(f"F{i}", "X" * 20) for i in range(6)] + [Field("CD", "")]
    rows, places = pack(fields)
    assert all(len(r) == 80 for r in rows) and len(rows) == 3
    for p in places:
        f = fields[p.index]
        assert rows[p.row][p.col - len(f.name) - 1 : p.col + len(f.value)] == f"{f.name}>{f.value}"
    body = ["HEADER", "F0>OLD  F1>OLD", "SRC-CD>1 NOT A FIELD OF OURS", "FOOTER"]
    shown, at, _ = overlay(body, fields)
    assert at == 1
    assert shown == ["HEADER", *rows, "SRC-CD>1 NOT A FIELD OF OURS", "FOOTER"]
    pattern = prompt_pattern(fields)
    assert pattern is not None and not pattern.search("SRC-CD>1")


def test_masked_fields_never_show_their_value() -> None:
    rows, _ = pack([Field("PASSWORD", "secret words", masked=True)])
    assert "secret" not in rows[0] and "PASSWORD>************" in rows[0]
