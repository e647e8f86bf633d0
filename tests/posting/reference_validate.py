"""The per-code unpostable checks as they stood before the one-pass rewrite, kept as the
reference the one-pass :mod:`idrs.store.posting.validate` is checked against
(``tests/posting/test_validate_agrees.py``). Small inputs only: some checks scan every pending
row per row.

Original description follows.

Unpostable checks on pending module transactions, set-based, one statement per code.

Why one ``INSERT ... SELECT`` per code, in the order of :data:`idrs.posting.codes.CODES`: each
check is a plain predicate over the pending row, its module and what is already posted, so
the database evaluates it over millions of inputs at once; an input already caught by an
earlier check is skipped (``NOT EXISTS`` on ``unpostables``), so each input is reported once,
under the first code it fails. Then the caught rows are marked 'UP' in one ``UPDATE``.

Only status 'PN' rows input on or before the cycle's posting date are considered ('AP' rows
wait for maker-checker approval).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.engine import Connection

from idrs.domain.tc import catalogue
from idrs.posting.codes import CODES, reason
from idrs.store.posting import rules
from idrs.store.posting._sql import run

_ACCEPTED = ", ".join(str(c) for c, t in sorted(catalogue().items()) if t.kind != "entity")
_ADJUSTMENTS = ", ".join(
    str(c) for c in sorted(catalogue()) if 160 <= c <= 179 or 290 <= c <= 301 or 800 <= c <= 809
)
_REFUNDS = "840, 846"


def _valid_150(module: str) -> str:
    """A TC 150 posted, or pending in this cycle and not (yet) unpostable."""
    return f"""(EXISTS (SELECT 1 FROM posted_transactions r
                 WHERE r.module_id = {module} AND r.tc = 150)
         OR EXISTS (SELECT 1 FROM pending_transactions q
                 WHERE q.module_id = {module} AND q.tc = 150 AND q.status = 'PN'
                   AND q.input_date <= :d
                   AND NOT EXISTS (SELECT 1 FROM unpostables u
                                   WHERE u.source = 'txn' AND u.pending_id = q.id)))"""


def _target(alias: str) -> str:
    """``alias`` is a push that a reversal ``p`` could cancel (same group, same 971 AC)."""
    return (
        f"{rules.group_case(alias + '.tc')} = {rules.group_case('p.tc')} "
        f"AND {rules.delta_case(alias + '.tc', alias + '.action_code')} = 1 "
        f"AND (p.tc <> 972 OR {alias}.action_code = p.action_code)"
    )


def _conditions() -> dict[int, str]:
    g = rules.groups()
    reversals = ", ".join(str(c) for c in sorted(g.reversals))
    return {
        151: "m.id IS NULL",
        152: f"p.tc NOT IN ({_ACCEPTED})",
        155: "p.amount_cents < 0",
        154: """p.tin_index IS NOT NULL
            AND p.tin_index <> (SELECT x.tin_index FROM taxpayers x WHERE x.id = m.taxpayer_id)
            AND (m.secondary_taxpayer_id IS NULL OR p.tin_index <>
                 (SELECT x.tin_index FROM taxpayers x WHERE x.id = m.secondary_taxpayer_id))""",
        153: """p.name_control IS NOT NULL
            AND p.name_control <>
                (SELECT x.name_control FROM taxpayers x WHERE x.id = m.taxpayer_id)""",
        160: """EXISTS (SELECT 1 FROM posted_transactions r
                WHERE r.dln = p.dln AND r.tc = p.tc AND r.module_id = p.module_id)""",
        161: """p.tc = 150 AND (
              EXISTS (SELECT 1 FROM posted_transactions r
                      WHERE r.module_id = p.module_id AND r.tc = 150)
              OR EXISTS (SELECT 1 FROM pending_transactions q
                      WHERE q.module_id = p.module_id AND q.tc = 150 AND q.status = 'PN'
                        AND q.input_date <= :d AND q.id < p.id))""",
        172: "p.tc = 972 AND p.action_code IS NULL",
        173: "p.tc = 520 AND p.reason_code IS NULL",
        170: f"p.tc IN ({_ADJUSTMENTS}) AND NOT {_valid_150('p.module_id')}",
        171: f"""p.tc IN ({reversals})
            AND NOT EXISTS (SELECT 1 FROM posted_transactions r
                            WHERE r.module_id = p.module_id AND {_target("r")})
            AND NOT EXISTS (SELECT 1 FROM pending_transactions r
                            WHERE r.module_id = p.module_id AND r.status = 'PN'
                              AND r.input_date <= :d AND r.id <> p.id
                              AND r.transaction_date <= p.transaction_date
                              AND {_target("r")})""",
        180: f"""p.tc IN ({_REFUNDS})
            AND EXISTS (SELECT 1 FROM module_freezes z
                        WHERE z.module_id = p.module_id AND z.released_on IS NULL)""",
        181: f"p.tc IN ({_REFUNDS}) AND p.amount_cents > -m.balance_cents",
    }


_INSERT = """
INSERT INTO unpostables (source, pending_id, taxpayer_id, module_id, tc, amount_cents, dln,
                         code, reason, cycle, input_date, created_at)
SELECT 'txn', p.id, m.taxpayer_id, p.module_id, p.tc, p.amount_cents, p.dln,
       :code, :reason, :c, p.input_date, :now
FROM pending_transactions p LEFT JOIN tax_modules m ON m.id = p.module_id
WHERE p.status = 'PN' AND p.input_date <= :d
  AND NOT EXISTS (SELECT 1 FROM unpostables u WHERE u.source = 'txn' AND u.pending_id = p.id)
  AND ({condition})
"""

_MARK = """
UPDATE pending_transactions SET status = 'UP'
WHERE status = 'PN'
  AND id IN (SELECT pending_id FROM unpostables WHERE source = 'txn' AND cycle = :c)
"""


def validate(conn: Connection, cycle: int, posting_date: date, now: datetime) -> dict[int, int]:
    """Record every unpostable pending transaction of this cycle; returns counts per code."""
    counts: dict[int, int] = {}
    conditions = _conditions()
    for entry in CODES:
        condition = conditions.get(entry.code)
        if condition is None:
            continue  # an entity code, checked by the entity stage
        got = run(
            conn,
            _INSERT.format(condition=condition),
            code=entry.code,
            reason=reason(entry.code),
            c=cycle,
            now=now,
            d=posting_date,
        )
        if got:
            counts[entry.code] = got
    run(conn, _MARK, c=cycle)
    return counts
