"""A small hand-made world for access tests: staff with their own taxpayer records, relatives,
a household, plain taxpayers, an employee's and a high-profile account. Synthetic values only
(SSN areas 773-899, which SSA never issued before its 2011 randomisation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from idrs.access.catalogue import catalogue
from idrs.access.governance import Governance
from idrs.access.tables import acknowledgements, command_profiles, unit_max_profiles
from idrs.clock import FixedClock
from idrs.gate import Gate, Session
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.population import write_batch
from idrs.store.records import (
    AddressRec,
    Batch,
    LinkRec,
    ModuleRec,
    StaffRec,
    TaxpayerRec,
    UnitRec,
)

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in New York

# name -> (taxpayer id, TIN, surname, street, employee?, sensitivity)
PEOPLE = {
    "mgr2": (101, "801-11-0101", "Quill", "1 Birch St"),
    "mgr1": (102, "801-11-0102", "Rowan", "2 Birch St"),
    "ra1": (103, "801-11-0103", "Sorrel", "3 Birch St"),
    "ra1_spouse": (104, "801-11-0104", "Sorrel", "3 Birch St"),
    "ra1_lodger": (105, "801-11-0105", "Tansy", "3 Birch Street"),  # same address, spelt out
    "ra1_former": (106, "801-11-0106", "Umber", "9 Elm Rd"),
    "csr1": (107, "801-11-0107", "Vetch", "7 Birch St"),
    "exec1": (108, "801-11-0108", "Wold", "8 Birch St"),
    "alice": (200, "802-22-0200", "Yarrow", "20 Oak Ave"),
    "bob": (201, "802-22-0201", "Zinnia", "21 Oak Ave"),
    "carol": (202, "802-22-0202", "Zinnia", "21 Oak Ave"),
    "emp": (203, "802-22-0203", "Alder", "23 Oak Ave"),
    "vip": (204, "802-22-0204", "Bracken", "24 Oak Ave"),
}
MISSING_TIN = "803-33-0300"  # valid, not on file

# name -> (staff id, taxpayer name, employment type, manager, roles, clearance)
STAFF = {
    "mgr2": (10, "mgr2", "employee", None, ("manager",), "secret"),
    "mgr1": (11, "mgr1", "employee", 10, ("manager",), "secret"),
    "ra1": (12, "ra1", "employee", 11, ("revenue_agent",), "none"),
    "csr1": (13, "csr1", "employee", 11, ("customer_service",), "none"),
    "exec1": (14, "exec1", "employee", 10, ("executive",), "top_secret"),
    "ctr1": (15, None, "contractor", 11, ("revenue_agent",), "none"),
    "det1": (16, None, "detailee", 11, ("analyst",), "top_secret"),
    "sec1": (17, None, "employee", 10, ("security_officer",), "secret"),
    "appr1": (18, None, "employee", 11, ("approver",), "none"),
    "ops1": (19, None, "employee", 10, ("operator",), "none"),
    "ra2": (21, None, "employee", 11, ("revenue_agent",), "none"),
    "svc_posting": (20, None, "service", None, ("service",), "none"),
}


@dataclass
class World:
    gate: Gate
    gov: Governance
    clock: FixedClock
    keyring: Keyring
    ids: dict[str, int] = field(default_factory=dict)

    def tin(self, name: str) -> str:
        return PEOPLE[name][1]

    def session(self, name: str, **kw: object) -> Session:
        sid = STAFF[name][0]
        expires = self.clock.now().replace(year=self.clock.now().year + 1)
        return Session(sid, f"s-{name}", "T01", expires, **kw)  # type: ignore[arg-type]

    def staff(self, name: str) -> int:
        return STAFF[name][0]


def build_world(engine, keyring: Keyring) -> World:  # type: ignore[no-untyped-def]
    clock = FixedClock(NY, T0)
    now = T0
    batch = Batch()
    for name, (tid, tin, surname, street) in PEOPLE.items():
        batch.taxpayers.append(
            TaxpayerRec(
                id=tid, entity_kind="individual", tin_kind="SSN", tin=tin.replace("-", ""),
                name_control=surname[:4].upper(), name_line1=f"Pat {surname}", name_line2=None,
                surname=surname, birth_date=date(1980, 1, 1), death_date=None,
                filing_requirements="1040", established_on=date(2000, 1, 1), created_at=now,
                employee_flag=name in ("emp", "mgr2", "mgr1", "ra1", "csr1", "exec1"),
                sensitivity="high_profile" if name == "vip" else "none",
            )
        )  # fmt: skip
        batch.addresses.append(
            AddressRec(
                id=tid * 10, taxpayer_id=tid, street=street, city="Springfield", state="VA",
                zip_code="22150", surname=surname, valid_from=date(2010, 1, 1),
            )
        )  # fmt: skip
    batch.links.append(LinkRec(1, 103, 104, "spouse", date(2015, 6, 1)))
    batch.links.append(LinkRec(2, 201, 202, "spouse", date(2012, 6, 1)))

    def module(mid: int, tp: int, secondary: int | None, period: int) -> ModuleRec:
        return ModuleRec(
            id=mid, taxpayer_id=tp, secondary_taxpayer_id=secondary, mft=30, tax_period=period,
            filing_status=2 if secondary else 1, status_code=10, status_date=date(2024, 4, 15),
            balance_cents=0, return_due_date=date(period // 100 + 1, 4, 15),
            return_filed_date=date(period // 100 + 1, 4, 1), assessed_on=None, ased=None,
            csed=None, rsed=None, installment_agreement=False, created_at=now,
        )  # fmt: skip

    # ra1 and ra1_former filed jointly once: the only trace of that marriage
    batch.modules.append(module(1001, 106, 103, 201912))
    batch.modules.append(module(2001, 200, None, 202412))  # alice
    batch.modules.append(module(2011, 201, 202, 202412))  # bob and carol, joint
    batch.modules.append(module(2021, 202, None, 202312))  # carol alone
    batch.modules.append(module(2031, 203, None, 202412))  # the employee's
    batch.modules.append(module(2041, 204, None, 202412))  # the high-profile account
    batch.units.extend([UnitRec(1, "FIELD", "Field operations"), UnitRec(2, "SEC", "Security")])
    for name, (sid, person, kind, manager, roles, clearance) in STAFF.items():
        batch.staff.append(
            StaffRec(
                id=sid, taxpayer_id=None if person is None else PEOPLE[person][0],
                username=name.replace("_", "-"), employee_number=f"01{sid:08d}",
                employment_type=kind, unit_id=2 if "security_officer" in roles else 1,
                manager_id=manager, clearance=clearance, created_at=now, roles=roles,
            )
        )  # fmt: skip
    vault = Vault(keyring)
    codes = sorted(catalogue())
    with engine.begin() as conn:
        write_batch(conn, vault, batch)
        for unit in (1, 2):
            conn.execute(insert(unit_max_profiles), [{"unit_id": unit, "code": c} for c in codes])
        for sid, *_ in STAFF.values():
            conn.execute(insert(command_profiles), [{"staff_id": sid, "code": c} for c in codes])
            conn.execute(
                insert(acknowledgements).values(staff_id=sid, kind="confidentiality", signed_at=now)
            )
        conn.execute(insert(acknowledgements).values(staff_id=15, kind="6103n", signed_at=now))
    world = World(Gate(engine, keyring, clock), Governance(engine, keyring, clock), clock, keyring)
    world.ids = {n: v[0] for n, v in PEOPLE.items()}
    return world
