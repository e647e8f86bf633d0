"""Access set-up for a synthetic demo database: unit profiles, staff profiles, signed
acknowledgements, service grants for the batch jobs, a detail agreement and one open case.

Run once after the population is generated (``idrs demo-access``, part of ``make run``);
a second run changes nothing. Everything that grants access goes through
:class:`~idrs.access.governance.Governance`, so it is audited like any other grant.
"""

from __future__ import annotations

from sqlalchemy import Engine

from idrs.access.catalogue import catalogue
from idrs.access.governance import Governance
from idrs.clock import Clock
from idrs.store import governance as rows
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.summary import meta_value, set_meta
from idrs.store.taxpayer_facts import tin_of

RESEARCH = {c.code for c in catalogue().values() if c.access == "read"}
CONTACT_WORK = {"ACTON", "INCHG", "IAORG", "STAUP"}
# the most each unit's people may run (IDRS: a user's profile is bounded by the unit's)
UNIT_PROFILES: dict[str, set[str]] = {
    "HQ": RESEARCH,
    "CS": RESEARCH | CONTACT_WORK | {"REFAP"},  # approvers sit in customer service
    "FC": set(catalogue()),
    "EX": set(catalogue()),
    "SEC": set(),
    "OVS": set(),
    "ANL": set(),
    "OPS": set(),
}
DEMO_FLAG = "demo_access"


def set_up_demo_access(engine: Engine, keyring: Keyring, clock: Clock) -> str | None:
    """Returns None if it had already been done, else the TIN of ra1's demo case (or "" when
    there is none): the one account the demo sign-ins can open, for the 0600 demo file."""
    with engine.connect() as conn:
        if meta_value(conn, DEMO_FLAG) == "done":
            return None
        people = rows.staff_with_units(conn)
        units = rows.unit_ids(conn)
        case_taxpayer = rows.first_plain_individual(conn)
        tin = None if case_taxpayer is None else tin_of(conn, Vault(keyring), case_taxpayer)
    ids = {p.username: p.id for p in people}
    with engine.begin() as conn:
        for code, codes in UNIT_PROFILES.items():
            if code in units:
                rows.replace_unit_profile(conn, units[code], codes)
        for p in people:
            if p.employment_type != "service":
                rows.replace_staff_profile(conn, p.id, UNIT_PROFILES.get(p.code, set()))
    gov = Governance(engine, keyring, clock)
    for p in people:
        if p.employment_type == "service":
            continue
        gov.acknowledge(p.id, "confidentiality")
        if p.employment_type == "contractor":
            gov.acknowledge(p.id, "6103n")
    security = ids.get("sec1")
    if security is not None:
        for username, job in (("svc-posting", "posting"), ("svc-notices", "notices")):
            if username in ids:
                gov.grant_service(security, ids[username], job)
    if {"mgr2", "det1"} <= ids.keys():
        agreement = gov.create_agreement(
            ids["mgr2"],
            name="Examination detail (demo)",
            parties="Examination division and the detailee's home unit",
            legal_authority="Economy Act detail agreement; IRC 6103(h)(1) need to know",
            purpose="Assist examiners with open examination cases",
            starts_on=clock.today(),
            commands=["TXMOD", "SUMRY", "ENMOD", "RTVUE", "IRPTR", "INTST"],
            categories=["entity", "address", "module", "return", "info_returns"],
            members=[ids["det1"]],
            case_types=["EXAM"],
        )
        gov.acknowledge(ids["det1"], "agreement", agreement)
    if tin is not None and {"mgr2", "ra1"} <= ids.keys():
        gov.assign_case(ids["mgr2"], ids["ra1"], tin, "EXAM")
    with engine.begin() as conn:
        set_meta(conn, DEMO_FLAG, "done")
    if tin is None or "ra1" not in ids:
        return ""
    return f"{tin[:3]}-{tin[3:5]}-{tin[5:]}" if len(tin) == 9 else tin
