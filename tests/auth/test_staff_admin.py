"""Security officers create, reset and unlock accounts; two of them make another (both engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from idrs.access.errors import GovernanceError
from idrs.auth.sessions import SessionInvalid, SignOnRefused, resume
from idrs.auth.staff_admin import StaffAdmin, StaffSpec, bootstrap_security_officer
from idrs.auth.tables import staff_credentials
from idrs.store import governance as rows
from idrs.store.keyring import Keyring
from idrs.store.tables.staff import staff, units
from tests.access.world import T0
from tests.auth.helpers import SEC1, AuthWorld, audit_log, auth_world, cheap, dumps
from tests.conftest import TestDb

PASSWORD = "a long enough passphrase"


@pytest.fixture
def aw(db: TestDb, keyring: Keyring) -> AuthWorld:
    return auth_world(db.engine, keyring)


def spec(username: str = "newra", **kw: object) -> StaffSpec:
    values: dict[str, object] = {
        "username": username, "employee_number": "0190000001", "employment_type": "employee",
        "unit": "FIELD", "roles": ("revenue_agent",), "manager": "mgr1",
    }  # fmt: skip
    values.update(kw)
    return StaffSpec(**values)  # type: ignore[arg-type]


def _refusal(aw: AuthWorld, call: object, *args: object) -> GovernanceError:
    with pytest.raises(GovernanceError) as err:
        call(*args)  # type: ignore[operator]
    return err.value


def test_a_security_officer_creates_an_account_that_signs_on(aw: AuthWorld) -> None:
    cred = aw.admin.create_staff(SEC1, spec())
    with aw.engine.connect() as conn:
        row = rows.staff_row(conn, cred.staff_id)
        assert rows.roles_of(conn, cred.staff_id) == {"revenue_agent"}
        must_change = conn.execute(
            select(staff_credentials.c.must_change).where(
                staff_credentials.c.staff_id == cred.staff_id
            )
        ).scalar_one()
    assert row is not None and row.manager_id == aw.world.staff("mgr1") and must_change
    assert cred.provisioning_uri.startswith("otpauth://totp/")
    assert cred.password not in repr(cred) and cred.totp_secret not in repr(cred)
    aw.sign_on("newra", cred.password, cred.totp_secret, new_password=PASSWORD)
    entries = audit_log(aw.engine, aw.keyring)
    created = next(e for e in entries if e.tag == "access:staff:create")
    assert created.body["detail"]["staff"] == f"staff:{cred.staff_id}"
    assert created.sealed == {"username": "newra", "employee_number": "0190000001"}
    leaves = dumps(entries)
    for text in ("newra", "0190000001", cred.password, cred.totp_secret, PASSWORD):
        assert text.encode() not in leaves


BAD_SPECS = [
    ({"username": "Bad Name"}, "username"),
    ({"username": "ra1"}, "username"),  # taken
    ({"employee_number": "12345"}, "employee_number"),
    ({"employee_number": "0100000012"}, "employee_number"),  # ra1's
    ({"employment_type": "service"}, "employment_type"),
    ({"roles": ("wizard",)}, "roles"),
    ({"roles": ()}, "roles"),
    ({"unit": "NOPE"}, "unit"),
    ({"manager": "nobody-here"}, "manager"),
    ({"own_tin": "801-11-0103"}, "own_tin"),  # ra1's own record
]


def test_bad_specs_are_refused_naming_the_field_and_audited(aw: AuthWorld) -> None:
    for change, field in BAD_SPECS:
        err = _refusal(aw, aw.admin.create_staff, SEC1, spec(**change))
        assert err.field == field, change
        last = audit_log(aw.engine, aw.keyring)[-1]
        assert (last.tag, last.body["outcome"], last.body["detail"]["field"]) == (
            "access:staff:create", "error", field,
        )  # fmt: skip
    with aw.engine.connect() as conn:
        assert rows.staff_id_for_username(conn, "newra") is None  # nothing was created


def test_only_security_officers_administer_and_never_their_own_account(aw: AuthWorld) -> None:
    ra1, mgr1 = aw.world.staff("ra1"), aw.world.staff("mgr1")
    assert _refusal(aw, aw.admin.create_staff, mgr1, spec()).field == "created by"
    assert _refusal(aw, aw.admin.reset_credentials, ra1, mgr1).field == "reset by"
    assert _refusal(aw, aw.admin.reset_credentials, SEC1, SEC1).field == "holder"
    assert _refusal(aw, aw.admin.unlock, SEC1, SEC1).field == "holder"
    # an officer who is also a taxpayer cannot make a second account for themselves
    with aw.engine.begin() as conn:
        conn.execute(update(staff).where(staff.c.id == SEC1).values(taxpayer_id=200))
    err = _refusal(aw, aw.admin.create_staff, SEC1, spec(own_tin="802-22-0200"))
    assert err.rule == "nobody creates an account for themselves"
    outcomes = [e.body["outcome"] for e in audit_log(aw.engine, aw.keyring)
                if e.tag.startswith(("access:staff", "auth:credential"))]  # fmt: skip
    assert outcomes == ["error"] * 5


def test_reset_unlocks_issues_new_factors_and_ends_sessions(aw: AuthWorld) -> None:
    password, secret = aw.ready("ra1")  # one session
    _, token = aw.sign_on("ra1", password, secret)  # and another
    for _ in range(3):
        with pytest.raises(SignOnRefused):
            aw.sign_on("ra1", "a wrong but long password", secret)
    fresh = aw.issue("ra1")
    assert fresh.totp_secret != secret
    with pytest.raises(SessionInvalid):
        resume(aw.engine, aw.keyring, aw.clock, token, settings=aw.cfg)
    aw.sign_on("ra1", fresh.password, fresh.totp_secret, new_password="another long passphrase")
    last_reset = [e for e in audit_log(aw.engine, aw.keyring) if e.tag == "auth:credential:reset"]
    assert last_reset[-1].body["detail"]["sessions_ended"] == 2
    assert _refusal(aw, aw.admin.unlock, SEC1, aw.world.staff("ra1")).rule == (
        "has no locked credential"
    )
    aw.world.gov.separate(SEC1, aw.world.staff("ra1"))
    assert _refusal(aw, aw.admin.reset_credentials, SEC1, aw.world.staff("ra1")).field == "staff"
    svc = aw.world.staff("svc_posting")
    assert "service" in _refusal(aw, aw.admin.reset_credentials, SEC1, svc).rule


def test_a_security_officer_takes_two_different_security_officers(aw: AuthWorld) -> None:
    so = spec("sec2", employee_number="0190000002", unit="SEC", roles=("security_officer",),
              manager=None)  # fmt: skip
    assert _refusal(aw, aw.admin.create_staff, SEC1, so).field == "roles"
    first = aw.admin.propose_staff(SEC1, so)
    assert _refusal(aw, aw.admin.approve_proposal, SEC1, first).rule == (
        "the proposer cannot approve their own proposal"
    )
    # with one security officer in the world, the operator is the second person
    sec2 = aw.admin.approve_as_operator(first)
    assert _refusal(aw, aw.admin.approve_as_operator, first).field == "approved by"
    assert _refusal(aw, aw.admin.approve_proposal, sec2.staff_id, first).field == "proposal"

    third = spec("sec3", employee_number="0190000003", unit="SEC", roles=("security_officer",))
    proposal = aw.admin.propose_staff(SEC1, third)
    assert _refusal(aw, aw.admin.approve_as_operator, proposal).rule == (
        "two security officers exist: one of them must approve"
    )
    # sec1 resets sec2 and so knows sec2's new credential: sec2 may not approve sec1's proposal
    aw.admin.reset_credentials(SEC1, sec2.staff_id)
    assert _refusal(aw, aw.admin.approve_proposal, sec2.staff_id, proposal).rule == (
        "holds a credential the proposer issued"
    )
    with aw.engine.begin() as conn:  # as if an officer other than sec1 had issued it
        conn.execute(update(staff_credentials).where(
            staff_credentials.c.staff_id == sec2.staff_id).values(issued_by=None))  # fmt: skip
    sec3 = aw.admin.approve_proposal(sec2.staff_id, proposal)
    with aw.engine.connect() as conn:
        assert rows.roles_of(conn, sec3.staff_id) == {"security_officer"}
    got = [e.tag for e in audit_log(aw.engine, aw.keyring) if e.body["outcome"] == "ok"]
    assert got.count("access:staff:propose") == 2 and got.count("access:staff:approve") == 2


def test_bootstrap_makes_the_first_security_officer_once(db: TestDb, keyring: Keyring) -> None:
    from idrs.clock import FixedClock
    from tests.access.world import NY

    clock, cfg = FixedClock(NY, T0), cheap()
    staff_id, password, secret = bootstrap_security_officer(db.engine, keyring, clock,
                                                            settings=cfg)  # fmt: skip
    with db.engine.connect() as conn:
        row = rows.staff_row(conn, staff_id)
        assert rows.roles_of(conn, staff_id) == {"security_officer"}
        unit = conn.execute(select(units.c.code).where(units.c.id == row.unit_id)).scalar_one()
    assert (row.username, row.employment_type, unit) == ("sec0", "employee", "ISO")
    assert staff_id >= 1_000_000  # outside the synthetic generator's id range
    with pytest.raises(GovernanceError) as err:
        bootstrap_security_officer(db.engine, keyring, clock, username="sec9", settings=cfg)
    assert err.value.field == "security_officer"
    entries = audit_log(db.engine, keyring)
    assert [(e.tag, e.body["outcome"]) for e in entries] == [
        ("access:staff:create", "ok"), ("auth:credential:issue", "ok"),
        ("access:staff:create", "error"),
    ]  # fmt: skip
    assert entries[0].body["detail"]["bootstrap"] is True
    # the bootstrapped officer signs on (changing the one-time password) and administers
    from idrs.auth.passwords import totp_code
    from idrs.auth.sessions import sign_on

    clock.advance(seconds=31)
    session, _ = sign_on(db.engine, keyring, clock, "sec0", password,
                         totp_code(secret, int(clock.now().timestamp())), "T01",
                         new_password=PASSWORD, settings=cfg)  # fmt: skip
    assert session.staff_id == staff_id
    admin = StaffAdmin(db.engine, keyring, clock, cfg)
    made = admin.create_staff(staff_id, spec(unit="ISO", manager=None))
    assert made.staff_id == staff_id + 1
