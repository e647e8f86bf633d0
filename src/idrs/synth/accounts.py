"""One tax module from its postings: DLNs, cycles, status history and statute dates.

Why through the domain: a synthetic account must look exactly like one the posting engine
would produce, so the balance and status come from :func:`idrs.domain.account.derive_state`,
cycles from :class:`~idrs.domain.periods.Cycle`, DLNs from :class:`~idrs.domain.dln.Dln` and
ASED/CSED/RSED from :mod:`idrs.domain.statutes` — none of those rules is restated here. A
posting dated after the run's as-of date has not happened yet and is left out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from idrs.domain.account import ModuleState, Posting, derive_state
from idrs.domain.dln import Dln
from idrs.domain.periods import Cycle
from idrs.domain.statutes import ased, csed, rsed
from idrs.store.records import (
    Batch,
    FiledReturnRec,
    ModuleRec,
    PostingRec,
    ReturnLineRec,
    StatusRec,
)
from idrs.synth.identifiers import child_id, dln_slot

PAYMENT_TCS = frozenset({610, 650, 670})

# (tax class, document code) by document. Tax classes: domain.md §2.7. Document codes: 11 for a
# Form 1040 as in the reference DLN 28211-105-12345-4 (screens.md §1.1); 17/18 TDA payments and
# 77 miscellaneous (REQ77) from domain.md §2.7; the others from Doc 6209 as commonly quoted,
# not in our reference [uncertain]: 941 = 41, 1120 = 10, 990 = 90 (EO returns in tax class 4),
# EFTPS deposits = 97.
DOCS: dict[str, tuple[int, int]] = {
    "1040": (2, 11),
    "941": (1, 41),
    "1120": (3, 10),
    "990": (4, 90),
    "ftd941": (1, 97),
    "ftd1120": (3, 97),
    "payment_imf": (2, 18),
    "payment_bmf1": (1, 18),
    "payment_bmf3": (3, 18),
    "misc": (2, 77),
}


@functools.lru_cache(maxsize=65536)
def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def dln(owner_id: int, doc: str, day: date) -> str:
    """The DLN numbered on ``day`` for the owner's document of kind ``doc``."""
    tax_class, doc_code = DOCS[doc]
    flc, block, serial = dln_slot(owner_id)
    return Dln.build(flc, tax_class, doc_code, day, block, serial).digits


@functools.lru_cache(maxsize=8192)
def cycle_of(day: date) -> int:
    return int(str(Cycle.for_date(day)))


@dataclass
class ModuleBuilder:
    """Collects a module's postings, then emits the module, its history, return and lines."""

    module_id: int
    owner_id: int
    mft: int
    tax_period: int
    due: date
    as_of: date
    secondary_id: int | None = None
    filing_status: int | None = None
    postings: list[tuple[int, int, date, date, str, int | None]] = field(default_factory=list)

    def post(
        self,
        tc: int,
        amount: int,
        transaction_date: date,
        posted_on: date,
        dln_digits: str,
        action_code: int | None = None,
    ) -> bool:
        """Add a posting unless it lies after as-of; returns whether it was added."""
        if posted_on > self.as_of:
            return False
        self.postings.append((tc, amount, transaction_date, posted_on, dln_digits, action_code))
        return True

    def emit(
        self,
        out: Batch,
        *,
        form: str,
        received: date,
        dln_digits: str,
        lines: dict[str, int],
    ) -> None:
        if not self.postings:
            raise ValueError("a filed module needs its TC 150")
        ordered = sorted(enumerate(self.postings), key=lambda ip: (ip[1][3], ip[0]))
        domain = [Posting(p[0], p[1], p[3], p[5]) for _, p in ordered]
        history, state = _history(domain)
        assessed = state.assessment_date
        if assessed is None:
            raise ValueError("a filed module needs its TC 150")
        payments = [p[2] for _, p in ordered if p[0] in PAYMENT_TCS]
        out.modules.append(
            ModuleRec(
                id=self.module_id,
                taxpayer_id=self.owner_id,
                secondary_taxpayer_id=self.secondary_id,
                mft=self.mft,
                tax_period=self.tax_period,
                filing_status=self.filing_status,
                status_code=state.status,
                status_date=history[-1][1],
                balance_cents=state.balance,
                return_due_date=self.due,
                return_filed_date=received,
                assessed_on=assessed,
                ased=ased(self.due, received),
                csed=csed(assessed),
                rsed=rsed(received, self.due, max(payments) if payments else None),
                installment_agreement="installment_agreement" in state.indicators,
                created_at=noon(received),
            )
        )
        module_id = self.module_id
        first_status = child_id(module_id, len(history) - 1, 10) - len(history) + 1
        out.status_history.extend(
            StatusRec(first_status + k, module_id, status, day, cycle_of(day))
            for k, (status, day) in enumerate(history)
        )
        first_posting = child_id(module_id, len(ordered) - 1, 100) - len(ordered) + 1
        out.postings.extend(
            PostingRec(
                first_posting + k,
                module_id,
                tc,
                amount,
                digits,
                cycle_of(posted),
                txn,
                posted,
                noon(posted),
                action,
            )
            for k, (_, (tc, amount, txn, posted, digits, action)) in enumerate(ordered)
        )
        out.filed_returns.append(
            FiledReturnRec(
                self.module_id, self.module_id, dln_digits, form, received, self.filing_status
            )
        )
        out.return_lines.extend(
            ReturnLineRec(self.module_id, line, amount) for line, amount in lines.items()
        )


def _history(postings: list[Posting]) -> tuple[list[tuple[int, date]], ModuleState]:
    """(status, date) each time the status changes from the return's posting on, and the
    final state; one derive_state per posting date (the last one is the module's state)."""
    first = min((p.posted for p in postings if p.tc == 150), default=None)
    if first is None:
        raise ValueError("a filed module needs its TC 150")
    days = sorted({p.posted for p in postings if p.posted >= first})
    history: list[tuple[int, date]] = []
    state = None
    for day in days:
        state = derive_state([p for p in postings if p.posted <= day])
        if not history or history[-1][0] != state.status:
            history.append((state.status, day))
    if state is None:
        raise ValueError("a filed module needs its TC 150")
    return history, state
