"""Batch jobs through the door: service grant, operator start, per-run/batch/item audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from idrs.access.errors import GovernanceError
from idrs.audit.events import decode_leaf
from idrs.audit.tables import audit_entries
from idrs.jobs import BatchResult, JobRefused, JobRunner
from tests.access.world import build_world


@pytest.fixture
def world(db, keyring):  # type: ignore[no-untyped-def]
    return build_world(db.engine, keyring)


def _runner(w) -> JobRunner:  # type: ignore[no-untyped-def]
    return JobRunner(w.gate.engine, w.keyring, w.clock)


def _batches(w):  # type: ignore[no-untyped-def]
    return [
        lambda conn: BatchResult([w.ids["alice"], w.ids["bob"]], issued=[(w.ids["alice"], "CP14")]),
        lambda conn: BatchResult([w.ids["carol"]]),
    ]


def test_job_runs_as_its_service_principal_and_is_audited(world, db) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.grant_service(w.staff("sec1"), w.staff("svc_posting"), "posting")
    report = _runner(w).run(
        service_id=w.staff("svc_posting"), started_by=w.staff("ops1"), job="posting",
        batches=_batches(w),
    )  # fmt: skip
    assert (report.batches, report.taxpayers, report.issued) == (2, 3, 1)
    with db.engine.connect() as conn:
        leaves = [
            decode_leaf(r.leaf)
            for r in conn.execute(
                select(audit_entries.c.leaf).where(audit_entries.c.idx >= report.audit_indexes[0])
            )
        ]
    tags = [leaf["tag"] for leaf in leaves]
    assert tags == [
        "batch:job:run", "batch:job:batch", "batch:item:issue", "batch:job:batch", "batch:job:run",
    ]  # fmt: skip
    assert leaves[0]["detail"]["started_by"] == f"staff:{w.staff('ops1')}"
    assert leaves[1]["detail"]["count"] == 2 and len(leaves[1]["detail"]["population"]) == 64
    assert "taxpayer" in leaves[2]


@pytest.mark.parametrize(
    ("starter", "job", "days_later", "rule"),
    [
        ("ra1", "posting", 0, "operator role"),
        ("ops1", "notices", 0, "no active service grant"),
        ("ops1", "posting", 91, "recertification"),
    ],
)
def test_job_refusals(world, starter, job, days_later, rule) -> None:  # type: ignore[no-untyped-def]
    w = world
    w.gov.grant_service(w.staff("sec1"), w.staff("svc_posting"), "posting", days=365)
    w.clock.advance(days=days_later)
    with pytest.raises(JobRefused, match=rule):
        _runner(w).run(
            service_id=w.staff("svc_posting"), started_by=w.staff(starter), job=job,
            batches=_batches(w),
        )  # fmt: skip


def test_service_grants_only_by_a_security_officer_to_a_service(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    with pytest.raises(GovernanceError, match="security_officer"):
        w.gov.grant_service(w.staff("mgr1"), w.staff("svc_posting"), "posting")
    with pytest.raises(GovernanceError, match="service principals only"):
        w.gov.grant_service(w.staff("sec1"), w.staff("ra1"), "posting")
