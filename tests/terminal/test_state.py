"""The terminal's state machine driven with real commands against the test database.

What a person sees is read from ``Machine.lines()``: line 1 (index 0) keeps the input, line 24
(index 23) carries the one message.
"""

from __future__ import annotations

import re
from dataclasses import replace

from idrs.auth.sessions import SessionInvalid, resume
from idrs.terminal.state import COMMAND_LINE, Machine, Mode
from tests.terminal.conftest import PASSWORD, TermWorld


def _send(m: Machine, line: str) -> list[str]:
    m.home()
    m.erase_to_end()
    m.type(line)
    m.transmit()
    return m.lines()


def test_sinon_txmod_pages_and_sinof(tw: TermWorld) -> None:
    m = Machine(tw.host())
    assert m.mode is Mode.SIGNON and m.lines()[0].startswith("SINON")
    m.transmit()
    assert m.lines()[23].rstrip() == "USERNAME: REQUIRED"

    tw.give_case("ra1", "alice")
    m = tw.signed_on("ra1")
    assert PASSWORD not in "".join(m.lines())
    assert re.match(r"SIGN ON COMPLETED - 0100000012 - UNIT FIELD", m.lines()[23])

    tin = tw.tin("alice")
    lines = _send(m, f"txmoda{tin} 30 202412")  # typed in lower case: IDRS is upper case
    assert all(len(x) == 80 for x in lines) and len(lines) == 24
    assert lines[0].startswith(f"TXMODA{tin} 30 202412 ")
    assert "PAGE NO-0001" in lines[0]
    assert "MOD-BAL>" in lines[1]
    assert lines[23].startswith("MORE - PAGE NO-0002")
    m.page_down()
    assert "PAGE NO-0002" in m.lines()[0] and m.lines()[0].startswith(f"TXMODA{tin}")
    for _ in range(m.page_count()):
        m.page_down()
    assert m.lines()[23].rstrip() == "NO MORE PAGES"
    for _ in range(m.page_count()):
        m.page_up()
    assert m.page == 1 and m.lines()[23].rstrip() == "FIRST PAGE DISPLAYED"

    _send(m, "SINOF")
    assert m.done and m.lines()[23].rstrip() == "SIGN OFF COMPLETED"
    assert not m.host.signed_on


def test_a_refusal_shows_only_the_generic_message_and_keeps_line_1(tw: TermWorld) -> None:
    m = tw.signed_on("exec1")
    tin = tw.tin("alice")
    lines = _send(m, f"TXMODA{tin} 30 202412")
    assert re.fullmatch(r"SECURITY VIOLATION - REFERENCE \d{10}", lines[23].rstrip())
    assert lines[0].startswith(f"TXMODA{tin} 30 202412")
    assert all(not x.strip() for x in lines[1:23])  # nothing about the account, nor why


def test_bad_input_names_the_rule_and_line_1_can_be_corrected(tw: TermWorld) -> None:
    tw.give_case("ra1", "alice")
    m = tw.signed_on("ra1")
    tin = tw.tin("alice")
    lines = _send(m, f"TXMODA{tin} 3 202412")
    assert lines[23].rstrip() == "MFT WHEN PRESENT MUST HAVE 2 CHARACTERS"
    assert m.command == f"TXMODA{tin} 3 202412"  # kept for correction
    for _ in range(len(" 202412")):
        m.left()
    m.type("0")  # 3 -> 30 in place, then send the same line again
    m.transmit()
    assert m.lines()[0].startswith(f"TXMODA{tin} 30 202412")
    assert "MOD-BAL>" in m.lines()[1]

    lines = _send(m, "TXMODA802-22-020 30 202412")
    assert "TIN" in lines[23]
    assert _send(m, "")[23].rstrip() == "ENTER A COMMAND CODE"
    assert _send(m, "FOOBR")[23].rstrip() == "INVALID COMMAND CODE"


def test_input_screen_fields_tab_and_transmit(tw: TermWorld) -> None:
    """An input screen built from a real TXMOD result plus a fields dict (as REQ54 gives
    ADJ54's): Tab walks the fields, transmit sends CODE + key + FIELD>value, and a rejected
    transmit keeps the screen with the cursor on the field the message names."""
    tw.give_case("ra1", "alice")
    m = tw.signed_on("ra1")
    tin = tw.tin("alice")
    research = m.host.run(f"TXMODA{tin} 30 202412")
    fields = {"CODE": "TXMOD", "TIN": tin, "MFT": "30", "TXPRD": "202412", "TC": "",
              "REMARKS": ""}  # fmt: skip
    body = (*research.screen.body[:3], "TC>     REMARKS>", "END OF INPUT SCREEN")
    screen = replace(research.screen, body=body, fields=fields)
    m.show(replace(research, screen=screen, fields=fields), research.screen.echo)

    assert [f.name for f in m.fields] == ["TIN", "MFT", "TXPRD", "TC", "REMARKS"]
    assert m.fields[m.focus].name == "TC"  # the first empty field
    lines = m.lines()
    assert "END OF INPUT SCREEN" in lines[5] and "TC>" in lines[4] and "MFT>30" in lines[4]
    row, col = m.cursor_position()
    assert lines[row][col - 3 : col] == "TC>"
    m.type("291")
    m.tab()
    m.type("per tp call")
    assert "".join(m.lines()).count("REMARKS>PER TP CALL") == 1
    m.tab()
    assert m.focus == COMMAND_LINE
    m.tab()
    assert m.fields[m.focus].name == "TIN"
    m.backtab()
    m.backtab()
    assert m.fields[m.focus].name == "REMARKS"

    m.fields[1].value = "3"  # the operator spoils the MFT
    m.transmit()
    assert m.lines()[23].startswith("MFT WHEN PRESENT MUST HAVE 2 CHARACTERS")
    assert m.fields[m.focus].name == "MFT" and m.fields  # overlay kept
    m.backspace()
    m.type("30")
    m.transmit()
    assert m.lines()[0].startswith(f'TXMOD {tin} 30 202412 TC>291 REMARKS>"PER TP CALL"')
    assert not m.fields and "MOD-BAL>" in m.lines()[1]


def test_first_sinon_asks_for_a_new_password(tw: TermWorld) -> None:
    cred = tw.aw.issue("ra1")
    m = Machine(tw.host())
    m.type("ra1")
    m.tab()
    m.type("not the password")
    m.tab()
    m.type(tw.code(cred.totp_secret))
    m.transmit()
    assert m.lines()[23].rstrip() == "PASSWORD: CREDENTIALS NOT ACCEPTED"
    assert m.fields[0].value == "ra1" and m.fields[1].value == "" and m.fields[2].value == ""
    assert m.fields[m.focus].name == "PASSWORD"

    m.type(cred.password)
    m.tab()
    m.type(tw.code(cred.totp_secret))
    m.transmit()
    assert m.lines()[23].startswith("PASSWORD EXPIRED")
    assert [f.name for f in m.fields][-2:] == ["NEW-PASSWORD", "CONFIRM"]
    m.type(PASSWORD)
    m.tab()
    m.type(PASSWORD + "x")
    m.fields[2].value = tw.code(cred.totp_secret)
    m.transmit()
    assert "DOES NOT MATCH" in m.lines()[23]
    assert m.fields[1].value == cred.password  # the old password is kept for the retry
    m.type(PASSWORD)
    m.tab()
    m.type(PASSWORD)
    m.fields[2].value = tw.code(cred.totp_secret)
    m.transmit()
    assert m.mode is Mode.COMMAND, m.lines()[23]
    assert cred.password not in "".join(m.lines())


def test_a_lapsed_session_goes_back_to_sinon(tw: TermWorld) -> None:
    tw.give_case("ra1", "alice")
    m = tw.signed_on("ra1")
    tw.aw.clock.advance(minutes=16)
    lines = _send(m, f"TXMODA{tw.tin('alice')} 30 202412")
    assert m.mode is Mode.SIGNON and lines[0].startswith("SINON")
    assert lines[23].startswith("SESSION ENDED")


def test_a_cli_session_is_taken_over_and_signed_off_with_its_file(tw: TermWorld) -> None:
    from idrs.auth.session_file import SessionRecord, write_session_file

    password, secret = tw.aw.ready("ra1")
    session, token = tw.aw.sign_on("ra1", password, secret)
    write_session_file(tw.aw.cfg.session_file, SessionRecord("ra1", session.session_id, token))
    host = tw.host()
    assert host.take_over_cli_session()
    m = Machine(host)
    assert m.mode is Mode.COMMAND and m.lines()[23].startswith("SESSION RESUMED - 0100000012")
    m.sign_off()
    assert m.done and not tw.aw.cfg.session_file.exists()
    try:
        resume(tw.aw.engine, tw.aw.keyring, tw.aw.clock, token, settings=tw.aw.cfg)
    except SessionInvalid:
        pass
    else:
        raise AssertionError("the session should have ended")


def test_req54_pre_fills_adj54_and_transmit_queues_the_adjustment(tw: TermWorld) -> None:
    tw.give_case("ra1", "alice")
    m = tw.signed_on("ra1")
    tin = tw.tin("alice")
    _send(m, f"REQ54 {tin} 30 202412")
    assert [f.name for f in m.fields] == ["TC", "AMT", "RSN-CDS", "REMARKS"]
    assert m.lines()[23].startswith("ENTER ADJ54 FIELDS AND TRANSMIT")
    for i, value in enumerate(("290", "125.00", "051", "exam adjustment")):
        if i:
            m.tab()
        m.type(value)
    m.transmit()
    assert "30 202412 TC>290 AMT>125.00 RSN-CDS>051" in m.lines()[0]
    assert m.lines()[23].startswith("REQUEST COMPLETED - PN 290 125.00")
    lines = _send(m, f"TXMODA{tin} 30 202412")
    assert any(line.startswith("PN  290") for line in lines)
