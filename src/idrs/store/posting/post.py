"""Post the cycle's pending module transactions: one ``INSERT ... SELECT``, one ``UPDATE``.

Why this is idempotent and crash-safe: both statements run in one transaction, so either
every valid pending row of the cycle is posted and marked 'PD', or none is. A pending row is
posted under its (DLN, TC, module), the ledger's unique key, so even a row re-entered as
pending cannot post twice (the validate stage reports it as a duplicate, code 160).

The rows are marked 'PD' by the cycle's postings' ``pending_id`` (one semi-join on the cycle
index), not by a (DLN, TC, module) look-up per pending row.

New posting ids continue the ledger's numbering in (transaction date, pending id) order,
which is also the order the recompute and derive_state apply same-day postings in.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.engine import Connection

from idrs.store.posting._sql import run

_INSERT = """
INSERT INTO posted_transactions (id, module_id, tc, amount_cents, dln, cycle, transaction_date,
                                 posted_on, action_code, reason_code, reverses_id, pending_id,
                                 created_at)
SELECT (SELECT COALESCE(MAX(id), 0) FROM posted_transactions)
         + ROW_NUMBER() OVER (ORDER BY p.transaction_date, p.id),
       p.module_id, p.tc, p.amount_cents, p.dln, :c, p.transaction_date, :d,
       p.action_code, p.reason_code, NULL, p.id, :now
FROM pending_transactions p
WHERE p.status = 'PN' AND p.input_date <= :d
"""

_MARK = """
UPDATE pending_transactions SET status = 'PD'
WHERE status = 'PN' AND input_date <= :d
  AND id IN (SELECT pending_id FROM posted_transactions WHERE cycle = :c)
"""


def post(conn: Connection, cycle: int, posting_date: date, now: datetime) -> int:
    """Post every valid pending transaction of the cycle; returns how many."""
    posted = run(conn, _INSERT, c=cycle, d=posting_date, now=now)
    run(conn, _MARK, c=cycle, d=posting_date)
    return posted
