"""The one door, end to end on both engines: decide, run, audit, commit, then return."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from idrs.access.errors import GovernanceError
from idrs.access.tables import oversight_queue
from idrs.audit.events import unseal
from idrs.audit.tables import audit_entries, audit_sealed
from idrs.gate import REFUSAL, Output, Refused, Resolved, Subject
from tests.access.world import build_world


def read_module(conn, resolved: Resolved) -> Output:  # type: ignore[no-untyped-def]
    return Output({"taxpayer": resolved.taxpayer_id, "module": resolved.module_id}, rows=1)


def last_entry(engine):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        row = conn.execute(
            select(audit_entries).order_by(audit_entries.c.idx.desc()).limit(1)
        ).first()
        sealed = conn.execute(
            select(audit_sealed.c.blob).where(audit_sealed.c.idx == row.idx)
        ).scalar_one_or_none()
    return row, sealed


@pytest.fixture
def world(db, keyring):  # type: ignore[no-untyped-def]
    return build_world(db.engine, keyring)


def test_case_grant_permits_and_every_look_is_recorded(world, db) -> None:  # type: ignore[no-untyped-def]
    w = world
    _, grant = w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    got = w.gate.request(
        w.session("ra1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "exam case", read_module
    )
    assert got.output.data == {"taxpayer": w.ids["alice"], "module": 2001}
    assert got.decision.grant_id == grant
    row, sealed = last_entry(db.engine)
    assert int(got.reference) == row.idx
    assert b'"decision":"permit"' in row.leaf
    assert f'"grant_id":"{grant}"'.encode() in row.leaf
    # the leaf names no TIN, in any spelling
    assert w.tin("alice").encode() not in row.leaf
    assert w.tin("alice").replace("-", "").encode() not in row.leaf
    assert sealed is not None


def test_executive_with_top_clearance_and_no_case_is_refused(world, db) -> None:  # type: ignore[no-untyped-def]
    w = world
    with pytest.raises(Refused) as refused:
        w.gate.request(
            w.session("exec1"),
            "TXMOD",
            Subject(w.tin("alice"), 30, 202412),
            "oversight",
            read_module,
        )
    assert str(refused.value) == f"{REFUSAL} - REFERENCE {refused.value.reference}"
    row, sealed = last_entry(db.engine)
    assert b'"decision":"deny"' in row.leaf
    reasons = unseal(w.keyring, sealed)["reasons"]
    assert any("no active grant" in text_ for _, text_ in reasons), reasons


def _refusal_text(w, who: str, tin: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        w.gate.request(w.session(who), "TXMOD", Subject(tin, 30, 202412), "", read_module)
    return str(refused.value).replace(refused.value.reference, "R")


def test_refusal_is_identical_for_any_reason_and_for_a_tin_not_on_file(world) -> None:  # type: ignore[no-untyped-def]
    from tests.access.world import MISSING_TIN

    w = world
    texts = {
        _refusal_text(w, "exec1", w.tin("alice")),  # no grant
        _refusal_text(w, "ra1", w.tin("ra1")),  # own account
        _refusal_text(w, "ra1", w.tin("ra1_former")),  # former spouse
        _refusal_text(w, "ra1", MISSING_TIN),  # not on file
    }
    assert texts == {f"{REFUSAL} - REFERENCE R"}


def test_revocation_takes_effect_on_the_very_next_request(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    _, grant = w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    subject = Subject(w.tin("alice"), 30, 202412)
    w.gate.request(w.session("ra1"), "TXMOD", subject, "", read_module)
    w.gov.revoke(w.staff("mgr1"), grant, "case reassigned")
    with pytest.raises(Refused):
        w.gate.request(w.session("ra1"), "TXMOD", subject, "", read_module)


def test_break_glass_alerts_and_never_opens_a_relative(world, db) -> None:  # type: ignore[no-untyped-def]
    w = world
    why = (
        "Taxpayer is on the phone in distress about a levy and no case owner can be reached today."
    )
    w.gov.break_glass(w.staff("ra1"), w.tin("alice"), why, minutes=30)
    w.gate.request(w.session("ra1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "", read_module)
    with db.engine.connect() as conn:
        kinds = conn.execute(select(oversight_queue.c.kind)).scalars().all()
    assert sorted(kinds) == ["break_glass", "break_glass_use"]
    w.gov.break_glass(w.staff("ra1"), w.tin("ra1_spouse"), why, minutes=30)
    with pytest.raises(Refused):
        w.gate.request(w.session("ra1"), "ENMOD", Subject(w.tin("ra1_spouse")), "", read_module)
    w.clock.advance(minutes=31)
    with pytest.raises(Refused):
        w.gate.request(
            w.session("ra1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "", read_module
        )


def test_one_word_justification_is_refused_and_audited(world, db) -> None:  # type: ignore[no-untyped-def]
    w = world
    with db.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(audit_entries)).scalar_one()
    with pytest.raises(GovernanceError, match="justification"):
        w.gov.break_glass(w.staff("ra1"), w.tin("alice"), "urgent")
    row, _ = last_entry(db.engine)
    assert row.idx == before
    assert b'"outcome":"error"' in row.leaf and b"justification" in row.leaf


def test_conflicted_assignment_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    for name in ("ra1", "ra1_spouse", "ra1_lodger", "ra1_former"):
        with pytest.raises(GovernanceError, match="conflict"):
            w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin(name), "EXAM")


def test_separation_revokes_everything_and_returns_cases(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    assert w.gov.separate(w.staff("sec1"), w.staff("ra1")) == 1
    with pytest.raises(Refused):
        w.gate.request(
            w.session("ra1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "", read_module
        )


def test_expired_session_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    session = w.session("ra1")
    w.clock.set(session.expires_at + timedelta(seconds=1))
    with pytest.raises(Refused):
        w.gate.request(session, "TXMOD", Subject(w.tin("alice"), 30, 202412), "", read_module)


def test_joint_module_opens_through_either_spouse(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("carol"), "EXAM")
    got = w.gate.request(
        w.session("ra2"), "TXMOD", Subject(w.tin("carol"), 30, 202412), "", read_module
    )
    assert got.output.data["module"] == 2011  # the joint module owned by bob
    own = w.gate.request(
        w.session("ra2"), "TXMOD", Subject(w.tin("carol"), 30, 202312), "", read_module
    )
    assert own.output.data["module"] == 2021
    with pytest.raises(Refused):  # bob's own account is not carol's
        w.gate.request(w.session("ra2"), "ENMOD", Subject(w.tin("bob")), "", read_module)


def test_fail_closed_when_the_audit_append_fails(world, db) -> None:  # type: ignore[no-untyped-def]
    """A real database fault on the audit table: nothing returned, the command's write undone."""
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")

    def write_then_return(conn, resolved):  # type: ignore[no-untyped-def]
        conn.execute(text("INSERT INTO units (id, code, name) VALUES (99, 'X', 'written')"))
        return Output({"secret": "balance"}, rows=1)

    with db.engine.begin() as conn:
        if db.backend == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER fault BEFORE INSERT ON audit_entries "
                    "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
                )
            )
        else:
            conn.execute(
                text("ALTER TABLE audit_entries ADD CONSTRAINT fault CHECK (false) NOT VALID")
            )
    got = None
    with pytest.raises(Exception, match="fault"):
        got = w.gate.request(
            w.session("ra1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "", write_then_return
        )
    assert got is None
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM units WHERE id = 99")).scalar_one() == 0


def test_fail_closed_when_the_commit_fails(world, db) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    with db.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(audit_entries)).scalar_one()
    from sqlalchemy import event

    def boom(conn) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("injected commit failure")

    event.listen(db.engine, "commit", boom)
    try:
        with pytest.raises(RuntimeError, match="injected commit failure"):
            w.gate.request(
                w.session("ra1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "", read_module
            )
    finally:
        event.remove(db.engine, "commit", boom)
    with db.engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(audit_entries)).scalar_one()
    assert after == before


def test_group_committed_reads_return_only_after_the_entry_is_durable(world, db) -> None:  # type: ignore[no-untyped-def]
    from idrs.audit.log import GroupCommitter
    from idrs.gate import Gate

    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "EXAM")
    with GroupCommitter(db.engine, w.keyring) as committer:
        gate = Gate(db.engine, w.keyring, w.clock, committer)
        got = gate.request(
            w.session("ra1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "", read_module
        )
        row, _ = last_entry(db.engine)
        assert int(got.reference) == row.idx and b'"decision":"permit"' in row.leaf
        with pytest.raises(Refused) as refused:
            gate.request(w.session("exec1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "",
                         read_module)  # fmt: skip
        row, _ = last_entry(db.engine)
        assert int(refused.value.reference) == row.idx
        with db.engine.begin() as conn:
            if db.backend == "sqlite":
                conn.execute(text("CREATE TRIGGER fault BEFORE INSERT ON audit_entries "
                                  "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"))  # fmt: skip
            else:
                conn.execute(
                    text("ALTER TABLE audit_entries ADD CONSTRAINT fault CHECK (false) NOT VALID")
                )
        with pytest.raises(Exception, match="fault"):
            gate.request(w.session("ra1"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "",
                         read_module)  # fmt: skip


def test_bad_input_is_named_and_audited(world, db) -> None:  # type: ignore[no-untyped-def]
    from idrs.domain.tin import InvalidTin
    from idrs.errors import InvalidInput

    w = world
    with pytest.raises(InvalidTin, match="SSN area 000"):
        w.gate.request(w.session("ra1"), "TXMOD", Subject("000-12-3456", 30, 202412), "",
                       read_module)  # fmt: skip
    row, _ = last_entry(db.engine)
    assert b'"outcome":"error"' in row.leaf and b"SSN area 000" in row.leaf
    assert b"000-12-3456" not in row.leaf and b"000123456" not in row.leaf
    with pytest.raises(InvalidInput, match="command code"):
        w.gate.request(w.session("ra1"), "TXMDO", Subject(w.tin("alice")), "", read_module)
    row, _ = last_entry(db.engine)
    assert b'"outcome":"error"' in row.leaf
