"""Pieces several command families share: the entity header, module look-up, accruals."""

from __future__ import annotations

from datetime import date
from typing import Any

from idrs.commands.registry import Work
from idrs.domain.interest import interest_detail
from idrs.domain.penalties import ftp_penalty
from idrs.domain.tc import BalanceEffect, transaction_code
from idrs.errors import InvalidInput
from idrs.store.taxpayers import Entity, Module, PostedTransaction, get_entity, get_module

NO_DATA = "NO DATA AVAILABLE"
TAX_TCS = frozenset({150, 290, 291, 298, 299, 300, 301})
INTEREST_TC = 196
FTP_TC = 276


def entity_data(entity: Entity) -> dict[str, Any]:
    a = entity.address
    return {
        "tin": entity.tin_masked,
        "tin_kind": entity.tin_kind,
        "name_control": entity.name_control,
        "name": entity.name_line1,
        "name2": entity.name_line2 or "",
        "street": a.street if a else "",
        "city": a.city if a else "",
        "state": a.state if a else "",
        "zip": a.zip_code if a else "",
        "entity_kind": entity.entity_kind,
        "filing_requirements": entity.filing_requirements,
        "birth_date": None if entity.birth_date is None else entity.birth_date.isoformat(),
        "death_date": None if entity.death_date is None else entity.death_date.isoformat(),
        "established_on": entity.established_on.isoformat(),
    }


def the_entity(work: Work) -> Entity:
    if work.resolved.taxpayer_id is None:  # cannot happen under a permit; kept for mypy
        raise InvalidInput("TIN", NO_DATA)
    return get_entity(work.conn, work.vault, work.resolved.taxpayer_id)


def the_module(work: Work) -> Module | None:
    """The module the request names, or None when it is not on file."""
    if work.resolved.module_id is None:
        return None
    return get_module(work.conn, work.resolved.module_id)


def required_module(work: Work) -> Module:
    module = the_module(work)
    if module is None:
        raise InvalidInput("tax_period", "NO MODULE ON FILE FOR THIS MFT AND TAX PERIOD")
    return module


def accruals(module: Module, postings: list[PostedTransaction], as_of: date) -> dict[str, Any]:
    """Interest and FTP accrued but not yet assessed, to ``as_of`` (INTST, TXMOD line 6).

    Interest runs daily-compounded on the balance due from the later of the return due date
    and the last interest assessment (TC 196) [reconstructed: IDRS computes from each posting;
    we treat the current balance as unpaid since then]. FTP (IRC 6651(a)(2)) runs on the tax
    assessed, less payments, from the due date, less FTP already assessed (TC 276).
    """
    balance = module.balance_cents
    result: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "interest_cents": 0,
        "ftp_cents": 0,
        "interest_from": None,
        "rates": [],
        "ftp_months": 0,
    }
    if balance <= 0:
        return result
    assessed = [p.transaction_date for p in postings if p.tc == INTEREST_TC]
    start = max([module.return_due_date, *assessed])
    if as_of > start:
        detail = interest_detail(balance, start, as_of)
        result["interest_cents"] = detail.cents
        result["interest_from"] = start.isoformat()
        result["rates"] = [
            [r.first.isoformat(), r.last.isoformat(), str(r.percent)] for r in detail.rates
        ]
    tax = sum(signed(p) for p in postings if p.tc in TAX_TCS)
    payments = [
        (p.transaction_date, p.amount_cents)
        for p in postings
        if transaction_code(p.tc).effect is BalanceEffect.CREDIT and p.tc not in TAX_TCS
    ]
    if tax > 0 and as_of > module.return_due_date:
        ftp = ftp_penalty(tax, module.return_due_date, as_of, payments)
        already = sum(p.amount_cents for p in postings if p.tc == FTP_TC)
        result["ftp_cents"] = max(ftp.cents - already, 0)
        result["ftp_months"] = ftp.months
    return result


def signed(p: PostedTransaction) -> int:
    """The posting's amount with the sign its TC gives it (credits negative)."""
    return transaction_code(p.tc).effect.sign * p.amount_cents


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def day_of(text: str | None) -> date | None:
    return None if not text else date.fromisoformat(text)
