"""Recompute every module a cycle touched: balance, freezes, status, statutes, history.

Why set-based and why this shape: a cycle touches up to millions of modules, so each step
is one statement over all of them (``INSERT ... SELECT``, ``UPDATE ... FROM``) in portable SQL
that runs on SQLite and PostgreSQL; no Python loops over taxpayers. The rules are
:func:`idrs.domain.account.derive_state` restated, with every TC fact generated from the
catalogue by :mod:`idrs.store.posting.rules`; ``tests/store/test_posting_settle.py`` checks
the two agree on generated postings.

The recompute is a pure function of the posted transactions, so it is idempotent: run again
after a crash (or twice) it writes the same values and appends no second history row.

Steps (one transaction, the caller's):

1. ``cycle_module_flags``: for each touched module, what its unreversed non-financial postings
   set. "Unreversed" is derive_state's stack (a reversal cancels the latest unreversed push of
   its group) computed as a reflected walk: with running sum S over +1 pushes and -1
   reversals in posting order, a push at t survives iff S_t <= S_u for every later u, i.e.
   S_t equals the suffix minimum of S from t on.
2. ``cycle_module_state``: balance (signed sum), "ever due" (balance positive at the end of
   some posting date), return filed / 23C date, last payment, collection status, TDI open,
   then the status by derive_state's rule.
3. Statute dates: the distinct base dates go through :func:`idrs.domain.statutes.add_years`
   once each (``posting_date_shifts``); ASED/CSED/RSED are then lookups. CSED suspensions and
   ASED extensions are not modelled here yet.
4. Status history rows where the status changes, freeze rows set and released, and the
   module rows updated from the state.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, insert, text
from sqlalchemy.engine import Connection

from idrs.domain.statutes import add_years
from idrs.store.posting import rules
from idrs.store.posting._sql import run
from idrs.store.tables.posting import posting_date_shifts


def _flags_sql() -> str:
    grp = rules.group_case("t.tc")
    delta = rules.delta_case("t.tc", "t.action_code")
    return f"""
WITH ev AS (
  SELECT t.module_id, t.id, t.posted_on, t.tc, t.action_code, t.reason_code,
         {grp} AS grp,
         CASE WHEN t.tc IN (971, 972) THEN COALESCE(t.action_code, -1) ELSE 0 END AS sub,
         {delta} AS delta
  FROM posted_transactions t
  WHERE t.tc IN ({rules.tracked_tcs()})
    AND t.module_id IN (SELECT module_id FROM posted_transactions WHERE cycle = :c)
),
ordered AS (
  SELECT ev.*,
         ROW_NUMBER() OVER (PARTITION BY module_id ORDER BY posted_on, id) AS pos,
         SUM(delta) OVER (PARTITION BY module_id, grp, sub ORDER BY posted_on, id
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s
  FROM ev WHERE delta <> 0
),
walked AS (
  SELECT ordered.*,
         MIN(s) OVER (PARTITION BY module_id, grp, sub ORDER BY posted_on DESC, id DESC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS suffix_min
  FROM ordered
),
alive AS (
  SELECT * FROM walked WHERE delta = 1 AND s = suffix_min
),
fr AS ({rules.flag_values_sql()})
INSERT INTO cycle_module_flags (cycle, module_id, flag, kind, set_by_tc, last_pos)
SELECT :c, a.module_id, fr.flag, MIN(fr.kind), MIN(a.tc), MAX(a.pos)
FROM alive a JOIN fr ON fr.tc = a.tc
  AND (fr.ac = -1 OR fr.ac = a.action_code)
  AND (fr.bk = -1 OR fr.bk = CASE WHEN a.reason_code IN ({rules.BANKRUPTCY}) THEN 1 ELSE 0 END)
GROUP BY a.module_id, fr.flag
"""


def _state_sql() -> str:
    """One pass per touched module: its postings by day, then its flags, in one ``GROUP BY``.

    The day rows (a running balance gives "ever due") and the module's flag rows are stacked
    with ``UNION ALL`` and aggregated together, rather than joined as separate aggregates:
    SQLite joins a materialized CTE by scanning it, which made that join quadratic in modules.
    """
    sign = rules.sign_case("t.tc", "t.amount_cents")
    return f"""
WITH touched AS (
  SELECT DISTINCT module_id FROM posted_transactions WHERE cycle = :c
),
daily AS (
  SELECT t.module_id, t.posted_on, SUM({sign}) AS day_sum,
         MIN(CASE WHEN t.tc = 150 THEN t.transaction_date END) AS filed,
         MIN(CASE WHEN t.tc = 150 THEN t.posted_on END) AS assessed,
         MAX(CASE WHEN t.tc IN ({rules.PAYMENT_TCS}) THEN t.transaction_date END) AS last_paid
  FROM posted_transactions t JOIN touched u ON u.module_id = t.module_id
  GROUP BY t.module_id, t.posted_on
),
running AS (
  SELECT daily.*,
         SUM(day_sum) OVER (PARTITION BY module_id ORDER BY posted_on
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS bal
  FROM daily
),
stacked AS (
  SELECT module_id, 1 AS money, day_sum, filed, assessed, last_paid,
         CASE WHEN bal > 0 THEN 1 ELSE 0 END AS due,
         NULL AS flag, NULL AS kind, 0 AS last_pos
  FROM running
  UNION ALL
  SELECT module_id, 0, 0, NULL, NULL, NULL, 0, flag, kind, last_pos
  FROM cycle_module_flags WHERE cycle = :c
),
facts AS (
  SELECT module_id, SUM(day_sum) AS balance, MIN(filed) AS filed, MIN(assessed) AS assessed,
         MAX(last_paid) AS last_paid, MAX(due) AS ever_due,
         MAX(CASE WHEN kind = 'freeze' THEN 1 ELSE 0 END) AS has_freeze,
         MAX(CASE WHEN flag = 'installment_agreement' THEN 1 ELSE 0 END) AS ia,
         CASE WHEN MAX(CASE WHEN flag = 'status:72' THEN 1 ELSE 0 END) = 1 THEN 72
              WHEN MAX(CASE WHEN flag = 'status:53' THEN 1 ELSE 0 END) = 1 THEN 53
              WHEN MAX(CASE WHEN flag = 'status:60' THEN 1 ELSE 0 END) = 1 THEN 60 END AS hold,
         CASE WHEN MAX(CASE WHEN kind = 'tdi_open' THEN last_pos ELSE 0 END)
                 > MAX(CASE WHEN kind = 'tdi_closed' THEN last_pos ELSE 0 END)
              THEN 1 ELSE 0 END AS tdi_open
  FROM stacked
  GROUP BY module_id
  HAVING MAX(money) = 1
)
INSERT INTO cycle_module_state (cycle, module_id, balance_cents, return_due_date, status_code,
  ever_due, return_filed_date, assessed_on, last_payment_date, has_freeze,
  installment_agreement, tdi_open, status_hold)
SELECT :c, x.module_id, x.balance, tm.return_due_date,
       CASE WHEN x.balance > 0 THEN COALESCE(x.hold, 21)
            WHEN x.assessed IS NOT NULL THEN CASE WHEN x.ever_due = 1 THEN 12 ELSE 10 END
            WHEN x.tdi_open = 1 THEN 2 ELSE 6 END,
       x.ever_due = 1, COALESCE(x.filed, tm.return_filed_date),
       COALESCE(x.assessed, tm.assessed_on), x.last_paid, x.has_freeze = 1, x.ia = 1,
       x.tdi_open = 1, x.hold
FROM facts x JOIN tax_modules tm ON tm.id = x.module_id
"""


_FILED_BASE = (
    "CASE WHEN s.return_filed_date > s.return_due_date "
    "THEN s.return_filed_date ELSE s.return_due_date END"
)

_NEEDED_SHIFTS = f"""
SELECT DISTINCT base, years FROM (
  SELECT {_FILED_BASE} AS base, 3 AS years FROM cycle_module_state s
   WHERE s.cycle = :c AND s.return_filed_date IS NOT NULL
  UNION SELECT s.assessed_on, 10 FROM cycle_module_state s
   WHERE s.cycle = :c AND s.assessed_on IS NOT NULL
  UNION SELECT s.last_payment_date, 2 FROM cycle_module_state s
   WHERE s.cycle = :c AND s.last_payment_date IS NOT NULL
) needed
WHERE NOT EXISTS (SELECT 1 FROM posting_date_shifts x
                  WHERE x.base_date = needed.base AND x.years = needed.years)
"""


def _shift(base: str, years: int) -> str:
    return (
        f"(SELECT x.shifted FROM posting_date_shifts x "
        f"WHERE x.base_date = {base} AND x.years = {years})"
    )


_STATUTES = f"""
UPDATE cycle_module_state SET
  ased = {_shift(_FILED_BASE.replace("s.", "cycle_module_state."), 3)},
  csed = {_shift("cycle_module_state.assessed_on", 10)},
  rsed = CASE
    WHEN cycle_module_state.last_payment_date IS NOT NULL
     AND {_shift("cycle_module_state.last_payment_date", 2)}
         > {_shift(_FILED_BASE.replace("s.", "cycle_module_state."), 3)}
    THEN {_shift("cycle_module_state.last_payment_date", 2)}
    ELSE {_shift(_FILED_BASE.replace("s.", "cycle_module_state."), 3)} END
WHERE cycle = :c AND return_filed_date IS NOT NULL
"""

_HISTORY = """
INSERT INTO module_status_history (id, module_id, status_code, status_date, cycle)
SELECT (SELECT COALESCE(MAX(id), 0) FROM module_status_history)
         + ROW_NUMBER() OVER (ORDER BY s.module_id),
       s.module_id, s.status_code, :d, :c
FROM cycle_module_state s JOIN tax_modules m ON m.id = s.module_id
WHERE s.cycle = :c AND s.status_code <> m.status_code
"""

_RELEASE_FREEZES = """
UPDATE module_freezes SET released_on = :d
WHERE released_on IS NULL
  AND module_id IN (SELECT module_id FROM cycle_module_state WHERE cycle = :c)
  AND NOT EXISTS (SELECT 1 FROM cycle_module_flags f
                  WHERE f.cycle = :c AND f.module_id = module_freezes.module_id
                    AND f.flag = module_freezes.code)
"""

_SET_FREEZES = """
INSERT INTO module_freezes (id, module_id, code, set_on, set_by_tc)
SELECT (SELECT COALESCE(MAX(id), 0) FROM module_freezes)
         + ROW_NUMBER() OVER (ORDER BY f.module_id, f.flag),
       f.module_id, f.flag, :d, f.set_by_tc
FROM cycle_module_flags f
WHERE f.cycle = :c AND f.kind = 'freeze'
  AND NOT EXISTS (SELECT 1 FROM module_freezes z
                  WHERE z.module_id = f.module_id AND z.code = f.flag
                    AND z.released_on IS NULL)
"""

_UPDATE_MODULES = """
UPDATE tax_modules SET
  balance_cents = s.balance_cents,
  status_date = CASE WHEN s.status_code <> tax_modules.status_code THEN :d
                     ELSE tax_modules.status_date END,
  status_code = s.status_code,
  return_filed_date = s.return_filed_date,
  assessed_on = s.assessed_on,
  ased = COALESCE(s.ased, tax_modules.ased),
  csed = COALESCE(s.csed, tax_modules.csed),
  rsed = COALESCE(s.rsed, tax_modules.rsed),
  installment_agreement = s.installment_agreement
FROM cycle_module_state s
WHERE s.cycle = :c AND s.module_id = tax_modules.id
"""


def settle(conn: Connection, cycle: int, posting_date: date, now: datetime) -> int:
    """Recompute every module with a posting in ``cycle``; returns how many modules."""
    run(conn, "DELETE FROM cycle_module_flags WHERE cycle = :c", c=cycle)
    run(conn, "DELETE FROM cycle_module_state WHERE cycle = :c", c=cycle)
    run(conn, _flags_sql(), c=cycle)
    modules = run(conn, _state_sql(), c=cycle)
    _fill_shifts(conn, cycle)
    run(conn, _STATUTES, c=cycle)
    run(conn, _HISTORY, c=cycle, d=posting_date)
    run(conn, _RELEASE_FREEZES, c=cycle, d=posting_date)
    run(conn, _SET_FREEZES, c=cycle, d=posting_date)
    run(conn, _UPDATE_MODULES, c=cycle, d=posting_date)
    return modules


def _fill_shifts(conn: Connection, cycle: int) -> None:
    """The domain's add_years for each distinct (date, years) the cycle needs, stored once."""
    needed = conn.execute(
        text(_NEEDED_SHIFTS)
        .bindparams(c=cycle)
        .columns(base=Date(), years=Integer())  # typed: SQLite returns text otherwise
    ).all()
    rows = [
        {"base_date": base, "years": years, "shifted": add_years(base, years)}
        for base, years in needed
    ]
    if rows:
        conn.execute(insert(posting_date_shifts), rows)
