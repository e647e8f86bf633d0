"""Schedule offsets and refunds of credit balances: one ``INSERT ... SELECT`` after settle.

IRC 6402(a): an overpayment is first credited against the taxpayer's other liabilities; only
the remainder is refunded. For every taxpayer the cycle touched, the credit module with the
lowest id that has a return posted, no open freeze, and credit not already on its way out
(pending TC 820/826/840/846) is offset against the taxpayer's own debit modules, oldest
period first (TC 826 out of the credit module, TC 706 into the debit module), and what is
left, if at least $1.00 (IRC 6403 [verify]), is refunded (TC 846). The rows are pending input
dated the day after the posting date, for the next cycle (a re-run of this one leaves them),
so they pass the same unpostable checks as everything else. A taxpayer's
other credit modules wait for a later cycle (the offsets posting then touches the taxpayer).

Idempotent and crash-safe: the stage commits in one transaction; credit already scheduled is
subtracted before anything is generated, and a generated row is never inserted twice under
its (DLN, TC, module). The DLN is computer-generated: FLC 28, tax class 2, document code 99,
the posting date's Julian day, the credit module's id modulo 100,000, the year digit
[reconstructed: IDRS numbers generated refunds its own way].
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from idrs.store.posting._sql import run

MIN_REFUND_CENTS = 100

_SCHEDULE = f"""
WITH touched AS (
  SELECT DISTINCT m.taxpayer_id AS tp
  FROM posted_transactions p JOIN tax_modules m ON m.id = p.module_id
  WHERE p.cycle = :c
),
going AS (
  SELECT module_id, SUM(amount_cents) AS amt FROM pending_transactions
  WHERE status IN ('PN', 'AP') AND tc IN (820, 826, 840, 846) GROUP BY module_id
),
coming AS (
  SELECT module_id, SUM(amount_cents) AS amt FROM pending_transactions
  WHERE status IN ('PN', 'AP') AND tc IN (700, 706) GROUP BY module_id
),
credits AS (
  SELECT m.id, m.taxpayer_id, -m.balance_cents - COALESCE(g.amt, 0) AS avail,
         ROW_NUMBER() OVER (PARTITION BY m.taxpayer_id ORDER BY m.id) AS rn
  FROM tax_modules m
  JOIN touched t ON t.tp = m.taxpayer_id
  LEFT JOIN going g ON g.module_id = m.id
  WHERE m.balance_cents < 0
    AND -m.balance_cents - COALESCE(g.amt, 0) > 0
    AND EXISTS (SELECT 1 FROM posted_transactions r WHERE r.module_id = m.id AND r.tc = 150)
    AND NOT EXISTS (SELECT 1 FROM module_freezes f
                    WHERE f.module_id = m.id AND f.released_on IS NULL)
),
chosen AS (SELECT id, taxpayer_id, avail FROM credits WHERE rn = 1),
debts AS (
  SELECT m.id, m.taxpayer_id, m.tax_period, m.balance_cents - COALESCE(i.amt, 0) AS owed
  FROM tax_modules m
  JOIN chosen c ON c.taxpayer_id = m.taxpayer_id
  LEFT JOIN coming i ON i.module_id = m.id
  WHERE m.balance_cents - COALESCE(i.amt, 0) > 0
),
ordered AS (
  SELECT id, taxpayer_id, owed,
         SUM(owed) OVER (PARTITION BY taxpayer_id ORDER BY tax_period, id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - owed AS before
  FROM debts
),
offsets AS (
  SELECT c.id AS credit_id, o.id AS debit_id,
         CASE WHEN o.owed < c.avail - o.before THEN o.owed ELSE c.avail - o.before END AS amt
  FROM ordered o JOIN chosen c ON c.taxpayer_id = o.taxpayer_id
  WHERE c.avail - o.before > 0
),
offset_totals AS (
  SELECT credit_id, SUM(amt) AS amt FROM offsets GROUP BY credit_id
),
gen AS (
  SELECT credit_id AS module_id, 826 AS tc, amt, credit_id AS src FROM offsets
  UNION ALL
  SELECT debit_id AS module_id, 706 AS tc, amt, credit_id AS src FROM offsets
  UNION ALL
  SELECT c.id AS module_id, 846 AS tc, c.avail - COALESCE(t.amt, 0) AS amt, c.id AS src
  FROM chosen c LEFT JOIN offset_totals t ON t.credit_id = c.id
  WHERE c.avail - COALESCE(t.amt, 0) >= {MIN_REFUND_CENTS}
),
numbered AS (
  SELECT module_id, tc, amt, CAST(:n + (src % 100000) * 10 AS VARCHAR(14)) AS dln
  FROM gen
)
INSERT INTO pending_transactions (id, module_id, tc, amount_cents, dln, status,
                                  transaction_date, input_date, source, created_at)
SELECT (SELECT COALESCE(MAX(id), 0) FROM pending_transactions)
         + ROW_NUMBER() OVER (ORDER BY x.dln, x.tc, x.module_id),
       x.module_id, x.tc, x.amt, x.dln, 'PN', :nd, :nd, 'cycle', :now
FROM numbered x
WHERE NOT EXISTS (SELECT 1 FROM pending_transactions z
                  WHERE z.dln = x.dln AND z.tc = x.tc AND z.module_id = x.module_id)
"""


def dln_base(posting_date: date) -> int:
    """The computer-generated DLN of ``posting_date`` without its serial (14 digits)."""
    julian = posting_date.timetuple().tm_yday
    return 28_299 * 10**9 + julian * 10**6 + posting_date.year % 10


def schedule(conn: Connection, cycle: int, posting_date: date, now: datetime) -> int:
    """Queue the offsets and refunds of credit modules; returns how many rows were queued."""
    return run(
        conn, _SCHEDULE, c=cycle, nd=posting_date + timedelta(days=1), now=now,
        n=dln_base(posting_date),
    )  # fmt: skip
