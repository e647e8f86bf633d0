"""The batch form of the one door: set-based work over a population, run by a service principal.

A person with the operator role starts the job; it runs as the job's service principal, which
must hold an active, recertified service grant for exactly that job and is never interactive.
The audit log gets one entry when the run starts, one per batch (the count and a keyed
commitment to the sorted list of taxpayers touched), one per item individually issued (a
notice, a lien), and one when the run ends. Each batch commits with its own audit entries, so
a run killed midway leaves every committed batch accounted for.

The service check is plain Python rather than Cedar: a job targets a declared population, not
one taxpayer, and the rule (active service principal, live grant for this job, recertified
within the setting's period, a human operator starting it) has no per-taxpayer facts to weigh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from idrs.access.tables import grants
from idrs.audit.events import Event, Outcome, Tag, keyed_digest
from idrs.audit.log import append
from idrs.clock import Clock, micros
from idrs.errors import IdrsError
from idrs.store.governance import roles_of, staff_row
from idrs.store.keyring import Keyring


class JobRefused(IdrsError):
    """The job may not run: the reason names the rule (for the operator who started it)."""


@dataclass(frozen=True)
class BatchResult:
    taxpayer_ids: Sequence[int]  # every taxpayer the batch touched
    issued: Sequence[tuple[int, str]] = ()  # (taxpayer id, what was issued), audited one by one
    rows: int = 0


@dataclass
class JobReport:
    job: str
    batches: int = 0
    taxpayers: int = 0
    issued: int = 0
    audit_indexes: list[int] = field(default_factory=list)


@dataclass
class JobRunner:
    engine: Engine
    keyring: Keyring
    clock: Clock
    recertify_days: int = 90

    def run(
        self,
        *,
        service_id: int,
        started_by: int,
        job: str,
        batches: Iterable[Callable[[Connection], BatchResult]],
    ) -> JobReport:
        """Run each batch in its own transaction with its audit entries; refuse if not allowed."""
        with self.engine.begin() as conn:
            grant_id = self._check(conn, service_id, started_by, job)
        report = JobReport(job)
        actor = f"staff:{service_id}"
        detail = {"job": job, "started_by": f"staff:{started_by}", "grant_id": grant_id}
        with self.engine.begin() as conn:
            report.audit_indexes.append(
                self._audit(conn, Tag.BATCH_JOB_RUN, actor, {**detail, "phase": "start"})
            )
        for batch in batches:
            with self.engine.begin() as conn:
                result = batch(conn)
                ids = sorted(set(result.taxpayer_ids))
                commitment = keyed_digest(
                    self.keyring, "population", b",".join(str(i).encode() for i in ids)
                ).hex()
                report.audit_indexes.append(
                    self._audit(
                        conn,
                        Tag.BATCH_JOB_BATCH,
                        actor,
                        {
                            **detail,
                            "count": len(ids),
                            "population": commitment,
                            "rows": result.rows,
                        },
                    )
                )
                for taxpayer_id, what in result.issued:
                    self._audit(
                        conn,
                        Tag.BATCH_ITEM_ISSUE,
                        actor,
                        {"job": job, "issued": what},
                        taxpayer=taxpayer_id,
                    )
                report.batches += 1
                report.taxpayers += len(ids)
                report.issued += len(result.issued)
        with self.engine.begin() as conn:
            report.audit_indexes.append(
                self._audit(
                    conn,
                    Tag.BATCH_JOB_RUN,
                    actor,
                    {
                        **detail,
                        "phase": "end",
                        "batches": report.batches,
                        "taxpayers": report.taxpayers,
                    },
                )
            )
        return report

    def _check(self, conn: Connection, service_id: int, started_by: int, job: str) -> int:
        person = staff_row(conn, started_by)
        if person is None or person.status != "active":
            raise JobRefused("started by: not an active staff member")
        if "operator" not in roles_of(conn, started_by):
            raise JobRefused("started by: needs the operator role")
        service = staff_row(conn, service_id)
        if service is None or service.employment_type != "service" or service.status != "active":
            raise JobRefused("service: not an active service principal")
        now = self.clock.now()
        row = conn.execute(
            select(grants.c.id, grants.c.recertified_at)
            .where(
                grants.c.holder_id == service_id,
                grants.c.kind == "service",
                grants.c.job == job,
                grants.c.revoked_at.is_(None),
                grants.c.starts_at <= now,
                grants.c.ends_at > now,
            )
            .order_by(grants.c.ends_at.desc())
        ).first()
        if row is None:
            raise JobRefused(f"service: no active service grant for job {job!r}")
        certified = row.recertified_at
        if certified is None or now - certified > timedelta(days=self.recertify_days):
            raise JobRefused(
                f"service: the grant for job {job!r} is overdue for recertification "
                f"(every {self.recertify_days} days)"
            )
        return int(row.id)

    def _audit(
        self,
        conn: Connection,
        tag: Tag,
        actor: str,
        detail: dict[str, object],
        *,
        taxpayer: int | None = None,
    ) -> int:
        event = Event(
            tag=tag,
            at=micros(self.clock.now()),
            actor=actor,
            taxpayer=None if taxpayer is None else f"taxpayer:{taxpayer}",
            outcome=Outcome.OK,
            detail={k: v for k, v in detail.items() if v is not None},
        )
        return append(conn, event, keyring=self.keyring)
