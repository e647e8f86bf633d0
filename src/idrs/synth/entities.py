"""Entity-side rows shared by every kind of taxpayer: addresses, bank accounts, authorisations.

Also :class:`Ids`, the per-owner counters that turn "the k-th address of taxpayer t" into the
deterministic surrogate ids of :mod:`idrs.synth.identifiers`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import ClassVar

from idrs.store.records import AddressRec, AuthorizationRec, BankAccountRec, Batch
from idrs.synth import names
from idrs.synth.identifiers import account_number, caf_number, child_id, routing_number


class Ids:
    """Next surrogate id per (kind, owner); widths from the identifiers module."""

    WIDTHS: ClassVar[dict[str, int]] = {"entity": 100, "module": 1000, "info": 1000}

    def __init__(self) -> None:
        self._next: defaultdict[tuple[str, int], int] = defaultdict(int)

    def next(self, kind: str, owner: int) -> int:
        k = self._next[(kind, owner)]
        self._next[(kind, owner)] = k + 1
        return child_id(owner, k, self.WIDTHS[kind])


def random_day(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def add_address(
    out: Batch,
    ids: Ids,
    taxpayer_id: int,
    where: names.Address,
    surname: str | None,
    valid_from: date,
    valid_to: date | None = None,
) -> None:
    out.addresses.append(
        AddressRec(
            id=ids.next("entity", taxpayer_id),
            taxpayer_id=taxpayer_id,
            street=where.street,
            city=where.city,
            state=where.state,
            zip_code=where.zip_code,
            surname=surname,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    )


def add_bank_accounts(
    out: Batch, ids: Ids, rng: random.Random, taxpayer_id: int, since: date, as_of: date
) -> None:
    """A current account, and for one in ten an older closed one before it."""
    opened = random_day(rng, since, as_of - timedelta(days=200))
    if rng.random() < 0.10:
        older = random_day(rng, since - timedelta(days=3650), opened - timedelta(days=30))
        out.bank_accounts.append(
            BankAccountRec(
                ids.next("entity", taxpayer_id),
                taxpayer_id,
                routing_number(rng),
                account_number(rng),
                "checking",
                older,
                opened - timedelta(days=1),
            )
        )
    out.bank_accounts.append(
        BankAccountRec(
            ids.next("entity", taxpayer_id),
            taxpayer_id,
            routing_number(rng),
            account_number(rng),
            "checking" if rng.random() < 0.8 else "savings",
            opened,
        )
    )


def add_authorization(
    out: Batch,
    ids: Ids,
    rng: random.Random,
    taxpayer_id: int,
    mft: int,
    first_year: int,
    as_of: date,
) -> None:
    """A Form 2848 (power of attorney) or 8821 (information) on file with the CAF."""
    received = random_day(rng, date(first_year + 1, 1, 15), as_of - timedelta(days=10))
    revoked = None
    if rng.random() < 0.15:
        revoked = random_day(rng, received + timedelta(days=30), as_of)
        if revoked >= as_of:
            revoked = None
    out.authorizations.append(
        AuthorizationRec(
            id=ids.next("entity", taxpayer_id),
            taxpayer_id=taxpayer_id,
            form="2848" if rng.random() < 0.6 else "8821",
            caf_number=caf_number(rng),
            representative_name=names.representative(rng),
            mft=mft,
            period_from=first_year * 100 + 12,
            period_to=(as_of.year + 1) * 100 + 12,
            received_on=received,
            revoked_on=revoked,
        )
    )
