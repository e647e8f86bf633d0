"""Oversight questions: who can open this account, what can this user open, why refused."""

from __future__ import annotations

import pytest

from idrs.access.errors import GovernanceError
from idrs.access.oversight import Oversight
from idrs.gate import Output, Refused, Subject
from tests.access.world import build_world


@pytest.fixture
def world(db, keyring):  # type: ignore[no-untyped-def]
    return build_world(db.engine, keyring)


def _oversight(w) -> Oversight:  # type: ignore[no-untyped-def]
    return Oversight(w.gate.engine, w.keyring, w.clock)


def test_who_can_names_each_grant_and_whether_it_opens_now(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.assign_case(w.staff("mgr1"), w.staff("ra2"), w.tin("alice"), "EXAM")
    w.gov.assign_case(w.staff("mgr1"), w.staff("ctr1"), w.tin("alice"), "COLL")
    masked, holders = _oversight(w).who_can(w.staff("sec1"), w.tin("alice"))
    assert masked.endswith(w.tin("alice")[-4:]) and w.tin("alice")[:3] not in masked
    assert sorted(h.username for h in holders) == ["ctr1", "ra2"]
    assert all(h.opens_now for h in holders)
    w.gov.separate(w.staff("sec1"), w.staff("ctr1"))
    _, holders = _oversight(w).who_can(w.staff("sec1"), w.tin("alice"))
    assert [h.username for h in holders] == ["ra2"]


def test_explain_gives_the_reasons_a_refusal_hid(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with pytest.raises(Refused) as refused:
        w.gate.request(
            w.session("ra1"), "ENMOD", Subject(w.tin("ra1_spouse")), "",
            lambda conn, r: Output({}, 0),
        )  # fmt: skip
    got = _oversight(w).explain(w.staff("sec1"), refused.value.reference)
    assert got.decision == "deny" and got.command == "ENMOD"
    assert any("spouse" in text.lower() for _, text in got.reasons), got.reasons


def test_only_oversight_roles_may_ask(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    for who in ("exec1", "mgr2", "ra1"):
        with pytest.raises(GovernanceError, match="oversight_reviewer or security_officer"):
            _oversight(w).who_can(w.staff(who), w.tin("alice"))


def test_break_glass_review_closes_the_alert(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    why = "Caller reports identity theft in progress and the assigned officer is on leave today."
    w.gov.break_glass(w.staff("csr1"), w.tin("alice"), why)
    ov = _oversight(w)
    [alert] = ov.alerts(w.staff("sec1"))
    assert alert.kind == "break_glass" and alert.username == "csr1"
    with pytest.raises(GovernanceError, match="outcome"):
        ov.review(w.staff("sec1"), alert.id, "ok")
    ov.review(w.staff("sec1"), alert.id, "Justified: the caller was the taxpayer, verified twice.")
    assert ov.alerts(w.staff("sec1")) == []
