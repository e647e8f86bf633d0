"""Run a posting cycle through the job runner, as the posting service principal.

Why through :class:`idrs.jobs.JobRunner`: it is the batch form of the one door. It refuses
unless a person with the operator role starts the job and the service principal holds a
live, recertified service grant for job ``posting``; it audits the run's start and end and
each stage as a batch (the count and a keyed commitment to the taxpayers it touched), and
runs each stage in its own transaction, committed with its audit entry.

Re-running a cycle (after a crash or on purpose) runs every stage again; they are
idempotent, so the result equals an uninterrupted run. The totals reported at the end are
read back from the database, so they cover the whole cycle, not only the last attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from idrs.clock import Clock
from idrs.domain.periods import Cycle
from idrs.errors import IdrsError
from idrs.jobs import BatchResult, JobReport, JobRunner
from idrs.posting._crash import CrashPoints
from idrs.posting.pipeline import CycleBatch, NamedStage, PostingError, StageContext
from idrs.posting.stages import STAGES
from idrs.store.crypto import Vault
from idrs.store.governance import staff_id_for_username
from idrs.store.keyring import Keyring
from idrs.store.posting import readers, runs

JOB = "posting"
SERVICE = "svc-posting"


@dataclass
class CycleReport:
    cycle: int
    attempt: int
    resumed_after: str | None
    totals: readers.CycleTotals
    errors: list[PostingError] = field(default_factory=list)
    job: JobReport | None = None


@dataclass
class CycleRunner:
    engine: Engine
    keyring: Keyring
    clock: Clock
    service: str = SERVICE
    stages: tuple[NamedStage, ...] = STAGES
    on_stage: Callable[[str, int, int], None] | None = None  # (name, done, total)

    def run(self, *, started_by: int, cycle: Cycle | None = None) -> CycleReport:
        if cycle is None:
            cycle = Cycle.for_date(self.clock.today())
        if cycle.day is None:
            raise IdrsError("cycle: give a daily cycle YYYYCCDD", field="cycle")
        number, posting_date = int(str(cycle)), cycle.posting_date
        with self.engine.connect() as conn:
            service_id = staff_id_for_username(conn, self.service)
        if service_id is None:
            raise IdrsError(f"cycle: service principal {self.service!r} is not on file")
        crash = CrashPoints(self.engine)
        vault = Vault(self.keyring)
        report = CycleReport(number, 0, None, readers.cycle_totals_empty(number))
        state = {"batch": CycleBatch(number, posting_date)}

        def batches() -> Iterator[Callable[[Connection], BatchResult]]:
            for i, stage in enumerate(self.stages):
                crash.at("before", stage.name)
                yield self._wrap(stage, i, state, report, vault, started_by)
                crash.at("after", stage.name)
                if self.on_stage is not None:
                    self.on_stage(stage.name, i + 1, len(self.stages))

        job = JobRunner(self.engine, self.keyring, self.clock).run(
            service_id=service_id, started_by=started_by, job=JOB, batches=batches()
        )
        report.job = job
        with self.engine.connect() as conn:
            report.totals = readers.cycle_totals(conn, number)
        return report

    def _wrap(
        self,
        stage: NamedStage,
        index: int,
        state: dict[str, CycleBatch],
        report: CycleReport,
        vault: Vault,
        started_by: int,
    ) -> Callable[[Connection], BatchResult]:
        def batch(conn: Connection) -> BatchResult:
            now = self.clock.now()
            current = state["batch"]
            if index == 0:
                report.attempt, report.resumed_after = runs.begin_run(
                    conn, current.cycle, current.posting_date, started_by, now
                )
            out, errors = stage.run(current, StageContext(conn, vault, now))
            runs.stage_done(conn, current.cycle, stage.name)
            if index == len(self.stages) - 1:
                runs.finish_run(conn, current.cycle, now)
            state["batch"] = out
            report.errors.extend(errors)
            return BatchResult(out.taxpayers, rows=out.rows)

        return batch
