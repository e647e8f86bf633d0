"""Maker-checker through the gate: a held write is approved only by a different user with the
approver role and their own grant on the taxpayer; every attempt is audited."""

from __future__ import annotations

import pytest

from idrs.access.errors import GovernanceError
from idrs.gate import Output, Refused, Subject
from tests.access.world import build_world


@pytest.fixture
def world(db, keyring):  # type: ignore[no-untyped-def]
    return build_world(db.engine, keyring)


def _refund(w):  # type: ignore[no-untyped-def]
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("alice"), "EXAM")
    got = w.gate.request(
        w.session("ra2"), "RFUND", Subject(w.tin("alice"), 30, 202412), "manual refund",
        lambda conn, r: Output({"refund_cents": 12_500}, rows=1),
    )  # fmt: skip
    assert got.approval_request is not None
    return got.approval_request


def test_the_maker_never_approves(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    held = _refund(w)
    with pytest.raises(Refused):
        w.gate.approve(w.session("ra2"), held)


def test_an_approver_needs_a_grant_of_their_own(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    held = _refund(w)
    with pytest.raises(Refused):
        w.gate.approve(w.session("appr1"), held)
    w.gov.assign_case(w.staff("mgr1"), w.staff("appr1"), w.tin("alice"), "REVIEW")
    done = w.gate.approve(w.session("appr1"), held)
    assert done.output.data == {"approval_request": held, "status": "approved", "released": 0}
    with pytest.raises(GovernanceError, match="no pending approval request"):
        w.gate.approve(w.session("appr1"), held)


def test_a_grant_without_the_approver_role_does_not_approve(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    held = _refund(w)
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra1"), w.tin("alice"), "REVIEW")
    with pytest.raises(Refused):
        w.gate.approve(w.session("ra1"), held)


def test_a_read_is_never_held(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("alice"), "EXAM")
    got = w.gate.request(
        w.session("ra2"), "TXMOD", Subject(w.tin("alice"), 30, 202412), "",
        lambda conn, r: Output({}, rows=1, needs_approval=True),
    )  # fmt: skip
    assert got.approval_request is None
