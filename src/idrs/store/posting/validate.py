"""Unpostable checks on pending module transactions: one set-based pass, first failing code.

Why one ``INSERT ... SELECT`` whose ``CASE`` yields the first failing code: the checks are
tried in the order of :data:`idrs.posting.codes.CODES`, so an input failing several is
reported once, under the first; evaluating them as one ``CASE`` reads each pending row once
and stops at its first failure, where one statement per code re-read every pending row per
code (and, lacking a usable index, re-scanned the pending table per row for the checks that
look at other pending input). The expensive checks (other pending rows, the ledger, the
taxpayer row) sit behind cheap guards on the row's own TC and fields, so most inputs cost a
module look-up and one probe of the ledger's (DLN, TC, module) key.

Code 170 (adjustment with no return) looks at the module's *valid* pending TC 150: one that
fails none of the checks before 170. Those checks are rendered once (:func:`_early_case`) and
used both for the input itself and, in ``ok150``, for the module's pending returns. Then the
caught rows are marked 'UP' in one ``UPDATE``.

Only status 'PN' rows input on or before the cycle's posting date are considered ('AP' rows
wait for maker-checker approval). An input that already has an unpostable row is skipped.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Integer
from sqlalchemy.engine import Connection

from idrs.domain.tc import catalogue
from idrs.posting.codes import CODES, reason
from idrs.store.posting import rules
from idrs.store.posting._sql import run, stmt

_ACCEPTED = ", ".join(str(c) for c, t in sorted(catalogue().items()) if t.kind != "entity")
_ADJUSTMENTS = ", ".join(
    str(c) for c in sorted(catalogue()) if 160 <= c <= 179 or 290 <= c <= 301 or 800 <= c <= 809
)
_REFUNDS = "840, 846"
_ENTITY_CODES = frozenset({101, 102, 103})  # checked by the entity stage


def _pending_in_cycle(alias: str) -> str:
    return f"{alias}.status = 'PN' AND {alias}.input_date <= :d"


def _posted_150(module: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM posted_transactions r1 "
        f"WHERE r1.module_id = {module} AND r1.tc = 150)"
    )


def _target(alias: str) -> str:
    """``alias`` is a push that a reversal ``p`` could cancel (same group, same 971 AC)."""
    return (
        f"{rules.group_case(alias + '.tc')} = {rules.group_case('p.tc')} "
        f"AND {rules.delta_case(alias + '.tc', alias + '.action_code')} = 1 "
        f"AND (p.tc <> 972 OR {alias}.action_code = p.action_code)"
    )


def _early(p: str, m: str, r: str) -> list[tuple[int, str]]:
    """Codes 151 to 161 for input ``p``, its module ``m`` and its ledger twin ``r``."""
    return [
        (151, f"{m}.id IS NULL"),
        (152, f"{p}.tc NOT IN ({_ACCEPTED})"),
        (155, f"{p}.amount_cents < 0"),
        (
            153,
            f"""{p}.name_control IS NOT NULL AND {p}.name_control <>
                (SELECT x.name_control FROM taxpayers x WHERE x.id = {m}.taxpayer_id)""",
        ),
        (
            154,
            f"""{p}.tin_index IS NOT NULL
            AND {p}.tin_index <> (SELECT x.tin_index FROM taxpayers x WHERE x.id = {m}.taxpayer_id)
            AND ({m}.secondary_taxpayer_id IS NULL OR {p}.tin_index <>
                 (SELECT x.tin_index FROM taxpayers x WHERE x.id = {m}.secondary_taxpayer_id))""",
        ),
        (160, f"{r}.id IS NOT NULL"),
        (
            161,
            f"""{p}.tc = 150 AND ({_posted_150(f"{p}.module_id")}
              OR EXISTS (SELECT 1 FROM pending_transactions q1
                      WHERE q1.module_id = {p}.module_id AND q1.tc = 150
                        AND {_pending_in_cycle("q1")} AND q1.id < {p}.id))""",
        ),
    ]


def _late() -> list[tuple[int, str]]:
    """Codes 170 to 181 for input ``p`` and module ``m`` (after every early check passed)."""
    reversals = ", ".join(str(c) for c in sorted(rules.groups().reversals))
    return [
        (
            170,
            f"""p.tc IN ({_ADJUSTMENTS}) AND NOT {_posted_150("p.module_id")}
            AND p.module_id NOT IN (SELECT module_id FROM ok150)""",
        ),
        (
            171,
            f"""p.tc IN ({reversals})
            AND NOT EXISTS (SELECT 1 FROM posted_transactions r2
                            WHERE r2.module_id = p.module_id AND {_target("r2")})
            AND NOT EXISTS (SELECT 1 FROM pending_transactions q2
                            WHERE q2.module_id = p.module_id AND {_pending_in_cycle("q2")}
                              AND q2.id <> p.id
                              AND q2.transaction_date <= p.transaction_date
                              AND {_target("q2")})""",
        ),
        (172, "p.tc = 972 AND p.action_code IS NULL"),
        (173, "p.tc = 520 AND p.reason_code IS NULL"),
        (
            180,
            f"""p.tc IN ({_REFUNDS})
            AND EXISTS (SELECT 1 FROM module_freezes z
                        WHERE z.module_id = p.module_id AND z.released_on IS NULL)""",
        ),
        (181, f"p.tc IN ({_REFUNDS}) AND p.amount_cents > -m.balance_cents"),
    ]


def _case(checks: list[tuple[int, str]]) -> str:
    return "CASE " + " ".join(f"WHEN {cond} THEN {code}" for code, cond in checks) + " END"


def _quoted(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _sql() -> str:
    early, late = _early("p", "m", "r"), _late()
    order = [c.code for c in CODES if c.code not in _ENTITY_CODES]
    if order != [code for code, _ in early + late]:  # the CASE must follow CODES
        raise AssertionError(f"validate: checks out of CODES order {order}")
    reasons = " ".join(f"WHEN {code} THEN {_quoted(reason(code))}" for code in order)
    return f"""
WITH ok150 AS (
  SELECT q.module_id
  FROM pending_transactions q
  JOIN tax_modules mq ON mq.id = q.module_id
  LEFT JOIN posted_transactions rq
    ON rq.dln = q.dln AND rq.tc = q.tc AND rq.module_id = q.module_id
  WHERE q.tc = 150 AND {_pending_in_cycle("q")}
    AND NOT EXISTS (SELECT 1 FROM unpostables uq
                    WHERE uq.source = 'txn' AND uq.pending_id = q.id)
    AND {_case(_early("q", "mq", "rq"))} IS NULL
),
checked AS (
  SELECT p.id, m.taxpayer_id, p.module_id, p.tc, p.amount_cents, p.dln, p.input_date,
         {_case(early + late)} AS code
  FROM pending_transactions p
  LEFT JOIN tax_modules m ON m.id = p.module_id
  LEFT JOIN posted_transactions r ON r.dln = p.dln AND r.tc = p.tc AND r.module_id = p.module_id
  WHERE {_pending_in_cycle("p")}
    AND NOT EXISTS (SELECT 1 FROM unpostables u WHERE u.source = 'txn' AND u.pending_id = p.id)
)
INSERT INTO unpostables (source, pending_id, taxpayer_id, module_id, tc, amount_cents, dln,
                         code, reason, cycle, input_date, created_at)
SELECT 'txn', k.id, k.taxpayer_id, k.module_id, k.tc, k.amount_cents, k.dln,
       k.code, CASE k.code {reasons} END, :c, k.input_date, :now
FROM checked k
WHERE k.code IS NOT NULL
"""


_COUNTS = """
SELECT u.code, COUNT(*) FROM unpostables u JOIN pending_transactions p ON p.id = u.pending_id
WHERE u.source = 'txn' AND u.cycle = :c AND p.status = 'PN'
GROUP BY u.code
"""

_MARK = """
UPDATE pending_transactions SET status = 'UP'
WHERE status = 'PN'
  AND id IN (SELECT pending_id FROM unpostables WHERE source = 'txn' AND cycle = :c)
"""


def validate(conn: Connection, cycle: int, posting_date: date, now: datetime) -> dict[int, int]:
    """Record every unpostable pending transaction of this cycle; returns counts per code."""
    run(conn, _sql(), c=cycle, now=now, d=posting_date)
    # rows recorded just now are the cycle's unpostables still 'PN' (until the mark below)
    counts = {
        int(code): int(n)
        for code, n in conn.execute(stmt(_COUNTS).columns(code=Integer()), {"c": cycle})
    }
    run(conn, _MARK, c=cycle)
    return counts
