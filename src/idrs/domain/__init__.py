"""The domain core: pure values and rules, no I/O.

This package is the canonical statement of every rule (TINs, name control, money, periods,
cycles, DLNs, MFTs, transaction codes, interest, penalties, statutes). Batch jobs that restate a
rule in SQL are tested against these functions.

Names are resolved lazily so importing one rule does not load every table.
"""

from __future__ import annotations

import importlib
from typing import Any

# These three share their module's name: once the submodule is imported, Python binds the package
# attribute to the module and the lazy look-up below would never run, so bind them eagerly.
from idrs.domain.interest import interest as interest
from idrs.domain.mft import mft as mft
from idrs.domain.name_control import name_control as name_control

_EXPORTS: dict[str, str] = {
    # TINs, name control, bank accounts
    "Tin": "tin",
    "TinKind": "tin",
    "InvalidTin": "tin",
    "parse_tin": "tin",
    "InvalidName": "name_control",
    "validate_routing_number": "bank",
    "validate_account_number": "bank",
    "InvalidBankAccount": "bank",
    # money, interest, penalties, statutes
    "format_cents": "money",
    "parse_amount": "money",
    "interest_detail": "interest",
    "InterestResult": "interest",
    "rate_table": "rates",
    "ftf_penalty": "penalties",
    "ftp_penalty": "penalties",
    "ased": "statutes",
    "csed": "statutes",
    "rsed": "statutes",
    # codes and identifiers
    "Mft": "mft",
    "TaxPeriod": "periods",
    "Cycle": "periods",
    "Dln": "dln",
    "parse_dln": "dln",
    "TransactionCode": "tc",
    "BalanceEffect": "tc",
    "transaction_code": "tc",
    "module_balance": "account",
}

__all__ = sorted([*_EXPORTS, "interest", "mft", "name_control"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'idrs.domain' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"idrs.domain.{module}"), name)
    globals()[name] = value
    return value
