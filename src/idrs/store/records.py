"""Logical rows: what a taxpayer record *means*, before encryption and blind indexing.

Why a separate layer: the generator (and later, imports and tests) should describe people and
accounts in plain values, and only the store should know which fields are ciphertext, which
blind indexes exist and how they are normalised. Each record maps to one table row; plaintext
fields here become ``*_enc`` columns there. Records are frozen, slotted dataclasses so that a
chunk of a hundred thousand of them stays small and cannot be changed after generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class TaxpayerRec:
    id: int
    entity_kind: str  # individual | business | exempt_org
    tin_kind: str  # SSN | ITIN | EIN
    tin: str  # nine digits
    name_control: str
    name_line1: str
    name_line2: str | None
    surname: str | None  # individuals: feeds surname and surname+ZIP blind indexes
    birth_date: date | None
    death_date: date | None
    filing_requirements: str
    established_on: date
    created_at: datetime
    fiscal_year_month: int = 12
    sensitivity: str = "none"
    employee_flag: bool = False


@dataclass(frozen=True, slots=True)
class AddressRec:
    id: int
    taxpayer_id: int
    street: str
    city: str
    state: str
    zip_code: str
    surname: str | None  # for the surname+ZIP index (individuals only)
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class LinkRec:
    id: int
    taxpayer_id: int
    related_id: int
    kind: str  # spouse | former_spouse | dependent
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class AuthorizationRec:
    id: int
    taxpayer_id: int
    form: str  # 2848 | 8821
    caf_number: str
    representative_name: str
    mft: int
    period_from: int
    period_to: int
    received_on: date
    revoked_on: date | None = None


@dataclass(frozen=True, slots=True)
class BankAccountRec:
    id: int
    taxpayer_id: int
    routing: str
    account: str
    account_type: str  # checking | savings
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class ModuleRec:
    id: int
    taxpayer_id: int
    secondary_taxpayer_id: int | None
    mft: int
    tax_period: int
    filing_status: int | None
    status_code: int
    status_date: date
    balance_cents: int
    return_due_date: date
    return_filed_date: date | None
    assessed_on: date | None
    ased: date | None
    csed: date | None
    rsed: date | None
    installment_agreement: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StatusRec:
    id: int
    module_id: int
    status_code: int
    status_date: date
    cycle: int | None


@dataclass(frozen=True, slots=True)
class PostingRec:
    id: int
    module_id: int
    tc: int
    amount_cents: int
    dln: str
    cycle: int
    transaction_date: date
    posted_on: date
    created_at: datetime
    action_code: int | None = None
    reason_code: int | None = None


@dataclass(frozen=True, slots=True)
class FiledReturnRec:
    id: int
    module_id: int
    dln: str
    form: str
    received_on: date
    filing_status: int | None


@dataclass(frozen=True, slots=True)
class ReturnLineRec:
    return_id: int
    line: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class InfoReturnRec:
    id: int
    payee_id: int
    payer_id: int | None
    form: str
    tax_year: int
    amount_cents: int
    withheld_cents: int
    received_on: date
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class UnitRec:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StaffRec:
    id: int
    taxpayer_id: int | None
    username: str
    employee_number: str
    employment_type: str  # employee | contractor | detailee | service
    unit_id: int
    manager_id: int | None
    clearance: str
    created_at: datetime
    roles: tuple[str, ...]
    status: str = "active"


@dataclass(slots=True)
class Batch:
    """Everything one chunk writes, grouped by table, in foreign-key order."""

    taxpayers: list[TaxpayerRec] = field(default_factory=list)
    addresses: list[AddressRec] = field(default_factory=list)
    links: list[LinkRec] = field(default_factory=list)
    authorizations: list[AuthorizationRec] = field(default_factory=list)
    bank_accounts: list[BankAccountRec] = field(default_factory=list)
    information_returns: list[InfoReturnRec] = field(default_factory=list)
    modules: list[ModuleRec] = field(default_factory=list)
    status_history: list[StatusRec] = field(default_factory=list)
    postings: list[PostingRec] = field(default_factory=list)
    filed_returns: list[FiledReturnRec] = field(default_factory=list)
    return_lines: list[ReturnLineRec] = field(default_factory=list)
    units: list[UnitRec] = field(default_factory=list)
    staff: list[StaffRec] = field(default_factory=list)

    def extend(self, other: Batch) -> None:
        for name in self.__slots__:
            getattr(self, name).extend(getattr(other, name))

    def row_count(self) -> int:
        roles = sum(len(s.roles) for s in self.staff)
        return roles + sum(len(getattr(self, name)) for name in self.__slots__)
