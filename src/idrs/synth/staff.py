"""The demo organisation: units, staff with fixed usernames, and batch service principals.

Why fixed: demos, tests and the README refer to these people by name (``csr1`` opens an
account under a contact grant, ``mgr2`` approves an employee-account grant, ``exec1`` shows
that top clearance grants nothing). Every person here is also a taxpayer of the population
(the first households, some married), flagged ``employee_flag`` so that their own and their
spouses' accounts are sensitive. Service principals run batch jobs and have no taxpayer row.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS: tuple[tuple[int, str, str], ...] = (
    (1, "HQ", "Office of the Commissioner"),
    (2, "CS", "Customer Service"),
    (3, "FC", "Field Collection"),
    (4, "EX", "Examination"),
    (5, "SEC", "Security"),
    (6, "OVS", "Oversight"),
    (7, "ANL", "Analytics"),
    (8, "OPS", "Operations"),
)
UNIT_IDS = {code: uid for uid, code, _ in UNITS}


@dataclass(frozen=True)
class StaffSpec:
    username: str
    unit: str
    roles: tuple[str, ...]
    employment_type: str = "employee"
    clearance: str = "none"
    manager: str | None = None
    structure: str = "single"  # household: single, or mfj (a spouse in the population)


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("exec1", "HQ", ("executive",), clearance="top_secret", structure="mfj"),
    StaffSpec("mgr2", "CS", ("manager",), manager="exec1", structure="mfj"),
    StaffSpec("mgr1", "CS", ("manager",), manager="mgr2"),
    StaffSpec("csr1", "CS", ("customer_service",), manager="mgr1", structure="mfj"),
    StaffSpec("csr2", "CS", ("customer_service",), manager="mgr1"),
    StaffSpec("appr1", "CS", ("approver",), manager="mgr2"),
    StaffSpec("ra1", "EX", ("revenue_agent",), manager="mgr2"),
    StaffSpec("ro1", "FC", ("revenue_officer",), manager="mgr2", structure="mfj"),
    StaffSpec("sec1", "SEC", ("security_officer",), clearance="secret", manager="exec1"),
    StaffSpec("ovs1", "OVS", ("oversight_reviewer",), clearance="secret", manager="exec1"),
    StaffSpec("analyst1", "ANL", ("analyst",), manager="exec1"),
    StaffSpec("ops1", "OPS", ("operator",), manager="exec1"),
    StaffSpec("ctr1", "CS", ("customer_service",), employment_type="contractor", manager="mgr1"),
    StaffSpec("det1", "EX", ("revenue_agent",), employment_type="detailee", manager="mgr2"),
)

SERVICES: tuple[StaffSpec, ...] = (
    StaffSpec("svc-posting", "OPS", ("service",), employment_type="service", manager="ops1"),
    StaffSpec("svc-notices", "OPS", ("service",), employment_type="service", manager="ops1"),
)

# Smallest population that holds every staff household (a spouse each for the married ones).
MIN_TAXPAYERS = len(STAFF) + sum(1 for s in STAFF if s.structure == "mfj") + 2


def staff_id(username: str) -> int:
    """Fixed staff ids: people 1..14 in :data:`STAFF` order, services from 101."""
    for i, spec in enumerate(STAFF):
        if spec.username == username:
            return i + 1
    for i, spec in enumerate(SERVICES):
        if spec.username == username:
            return 101 + i
    raise KeyError(username)


def employee_number(unit: str, index: int) -> str:
    """Ten digits: site 01, unit, team 01, then a serial (screens.md §1.1 layout)."""
    return f"01{UNIT_IDS[unit]:02d}01{index:04d}"
