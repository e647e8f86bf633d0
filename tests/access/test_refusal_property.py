"""Through the real gate: without a grant nothing opens, and every refusal reads the same,
whatever the reason and whether or not the TIN is on file."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idrs.gate import REFUSAL, Output, Refused, Subject
from tests.access.world import PEOPLE, STAFF, build_world

READS = ["TXMOD", "ENMOD", "INOLE", "SUMRY", "IMFOL", "RTVUE", "IRPTR", "INTST"]
HUMANS = sorted(n for n, v in STAFF.items() if v[2] != "service")


def _tins() -> st.SearchStrategy[str]:
    on_file = st.sampled_from(sorted(v[1] for v in PEOPLE.values()))
    not_on_file = st.builds(
        lambda a, g, s: f"{a:03d}-{g:02d}-{s:04d}",
        st.integers(773, 899), st.integers(1, 99), st.integers(1, 9999),
    )  # fmt: skip
    return st.one_of(on_file, not_on_file)


def test_no_grant_no_data_and_one_refusal_text(db, keyring) -> None:  # type: ignore[no-untyped-def]
    w = build_world(db.engine, keyring)
    seen: set[str] = set()

    @settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(who=st.sampled_from(HUMANS), tin=_tins(), code=st.sampled_from(READS))
    def check(who: str, tin: str, code: str) -> None:
        try:
            w.gate.request(
                w.session(who), code, Subject(tin, 30, 202412), "", lambda c, r: Output({}, 1)
            )
        except Refused as refused:
            assert re.fullmatch(r"\d{10}", refused.reference)
            text = str(refused).replace(refused.reference, "")
            seen.add(text)
            assert text == f"{REFUSAL} - REFERENCE "
            return
        raise AssertionError(f"{who} opened {code} without any grant")

    check()
    assert seen == {f"{REFUSAL} - REFERENCE "}
