"""The generated population, checked against the domain's own rules (no database)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from idrs.domain.account import Posting, derive_state, module_balance
from idrs.domain.bank import validate_routing_number
from idrs.domain.dln import parse_dln
from idrs.domain.mft import return_due_date
from idrs.domain.name_control import name_control
from idrs.domain.periods import Cycle, TaxPeriod
from idrs.domain.statutes import ased, csed, rsed
from idrs.domain.tin import parse_tin
from idrs.store.records import Batch
from idrs.synth.context import SynthConfig
from idrs.synth.generator import generate

from .conftest import AS_OF, SEED


def _flatten(batches: list[Batch]) -> Batch:
    merged = Batch()
    for b in batches:
        merged.extend(b)
    return merged


def test_same_seed_same_rows_whatever_the_chunk_size() -> None:
    a = _flatten([b for _, b in generate(SynthConfig(100, 42, AS_OF, chunk_size=7))])
    b = _flatten([b for _, b in generate(SynthConfig(100, 42, AS_OF, chunk_size=100))])
    for name in Batch.__slots__:
        assert sorted(getattr(a, name), key=repr) == sorted(getattr(b, name), key=repr), name
    c = _flatten([b for _, b in generate(SynthConfig(100, 43, AS_OF, chunk_size=100))])
    assert {t.tin for t in a.taxpayers} != {t.tin for t in c.taxpayers}


def test_exactly_n_taxpayers_with_dense_ids(population: Batch) -> None:
    assert sorted(t.id for t in population.taxpayers) == list(range(1, 1001))


def test_population_mix(population: Batch) -> None:
    kinds = Counter(t.entity_kind for t in population.taxpayers)
    n = len(population.taxpayers)
    assert 0.80 < kinds["individual"] / n < 0.90
    assert 0.08 < kinds["business"] / n < 0.16
    assert 0.01 < kinds["exempt_org"] / n < 0.06


def test_tins_are_valid_unique_and_in_the_synthetic_ranges(population: Batch) -> None:
    tins = [t.tin for t in population.taxpayers]
    assert len(set(tins)) == len(tins)
    for t in population.taxpayers:
        parsed = parse_tin(t.tin, t.tin_kind)
        assert not parsed.is_advertising
        if t.tin_kind == "SSN":
            assert 773 <= int(t.tin[:3]) <= 899
        elif t.tin_kind == "EIN":
            assert int(t.tin[:2]) < 77
            assert t.entity_kind in ("business", "exempt_org")
        else:
            assert t.tin_kind == "ITIN" and t.tin[0] == "9"


def test_name_controls_follow_the_domain_rule(population: Batch) -> None:
    for t in population.taxpayers:
        kind = "individual" if t.entity_kind == "individual" else "business"
        assert t.name_control == name_control(t.name_line1, kind)


def test_routing_numbers_pass_the_aba_check(population: Batch) -> None:
    assert population.bank_accounts
    for account in population.bank_accounts:
        assert validate_routing_number(account.routing) == account.routing
        assert account.account.isdigit()


def test_modules_agree_with_their_postings(population: Batch) -> None:
    postings = defaultdict(list)
    for p in population.postings:
        postings[p.module_id].append(p)
    for m in population.modules:
        mine = postings[m.id]
        assert m.balance_cents == module_balance((p.tc, p.amount_cents) for p in mine)
        state = derive_state(
            Posting(p.tc, p.amount_cents, p.posted_on, p.action_code) for p in mine
        )
        assert m.status_code == state.status
        assert m.installment_agreement == ("installment_agreement" in state.indicators)
        tc150 = [p for p in mine if p.tc == 150]
        assert len(tc150) == 1 and m.assessed_on == tc150[0].posted_on
        due = return_due_date(m.mft, TaxPeriod.parse(str(m.tax_period)))
        assert m.return_due_date == due
        assert m.return_filed_date is not None
        assert m.ased == ased(due, m.return_filed_date)
        assert m.csed == csed(m.assessed_on)
        paid = [p.transaction_date for p in mine if p.tc in (610, 650, 670)]
        assert m.rsed == rsed(m.return_filed_date, due, max(paid) if paid else None)
        for p in mine:
            assert p.posted_on <= AS_OF
            assert Cycle.parse(str(p.cycle)) == Cycle.for_date(p.posted_on)


def test_return_dlns_are_unique_and_decode(population: Batch) -> None:
    dlns = [r.dln for r in population.filed_returns]
    assert len(set(dlns)) == len(dlns)
    modules = {m.id: m for m in population.modules}
    expected_class = {30: (2, 11), 1: (1, 41), 2: (3, 10), 67: (4, 90)}
    for r in population.filed_returns:
        d = parse_dln(r.dln)
        assert d.numbered_on(r.received_on.year) == r.received_on
        assert (d.tax_class, d.doc_code) == expected_class[modules[r.module_id].mft]
    keys = [(p.dln, p.tc, p.module_id) for p in population.postings]
    assert len(set(keys)) == len(keys)


def test_1040s_cover_the_years_due_before_as_of(population: Batch) -> None:
    years = {m.tax_period // 100 for m in population.modules if m.mft == 30}
    assert years == set(range(2019, 2025 + 1))  # TY2025 is due 15 Apr 2026 < 30 Jun 2026
    assert all(m.tax_period % 100 == 12 for m in population.modules if m.mft == 30)


def test_households_links_and_joint_modules(population: Batch) -> None:
    links = {(link.taxpayer_id, link.related_id, link.kind) for link in population.links}
    spouses = [(a, b) for a, b, k in links if k == "spouse"]
    former = [(a, b) for a, b, k in links if k == "former_spouse"]
    assert spouses and former
    assert all((b, a, "spouse") in links for a, b in spouses)
    assert all((b, a, "former_spouse") in links for a, b in former)
    assert any(k == "dependent" for _, _, k in links)
    joint = [m for m in population.modules if m.secondary_taxpayer_id is not None]
    assert joint and all(m.filing_status == 2 and m.mft == 30 for m in joint)
    married = set(spouses) | set(former)
    assert all((m.taxpayer_id, m.secondary_taxpayer_id) in married for m in joint)
    people = {t.id: t for t in population.taxpayers}
    dependents = {b for _, b, k in links if k == "dependent"}
    assert all(people[d].filing_requirements == "" for d in dependents)


def test_the_behaviours_the_issue_asks_for_are_present(population: Batch) -> None:
    tcs = Counter(p.tc for p in population.postings)
    for tc in (150, 806, 610, 846, 650, 670, 766, 971):
        assert tcs[tc] > 0, tc
    statuses = Counter(m.status_code for m in population.modules)
    assert statuses[21] and statuses[60] and statuses[10] and statuses[12]
    ia = [p for p in population.postings if p.tc == 971]
    assert all(p.action_code == 63 for p in ia)
    people = population.taxpayers
    assert any(t.sensitivity == "high_profile" for t in people)
    assert any(t.death_date is not None for t in people)
    assert sum(t.employee_flag for t in people) == 14
    assert population.authorizations and all(
        a.form in ("2848", "8821") for a in population.authorizations
    )
    old = [a for a in population.addresses if a.valid_to is not None]
    assert old and all(a.valid_to >= a.valid_from for a in old)


def _income(population: Batch) -> tuple[dict, dict]:
    info: dict[tuple[int, int], int] = defaultdict(int)
    for r in population.information_returns:
        info[(r.payee_id, r.tax_year)] += r.amount_cents
    modules = {m.id: m for m in population.modules if m.mft == 30}
    reported: dict[tuple[int, int], int] = {}
    for line in population.return_lines:
        module = modules.get(line.return_id)
        if module is None or line.line not in ("wages", "interest", "dividends", "other_income"):
            continue
        key = (module.taxpayer_id, module.tax_period // 100)
        reported[key] = reported.get(key, 0) + line.amount_cents
    return info, reported


def test_non_filers_and_underreporters_exist(population: Batch) -> None:
    info, reported = _income(population)
    joint = {
        (m.taxpayer_id, m.tax_period // 100) for m in population.modules if m.secondary_taxpayer_id
    }
    filed = {(m.taxpayer_id, m.tax_period // 100) for m in population.modules if m.mft == 30}
    filed |= {
        (m.secondary_taxpayer_id, m.tax_period // 100)
        for m in population.modules
        if m.secondary_taxpayer_id
    }
    due_years = range(2019, 2026)
    non_filers = [k for k in info if k[1] in due_years and k not in filed]
    assert non_filers
    single = [k for k in reported if k not in joint]
    # an underreporter's return shows less than its information returns
    assert any(reported[k] < info.get(k, 0) * 0.9 for k in single)


def test_staff_batch_is_written_at_the_end(population: Batch) -> None:
    from idrs.synth.context import Context
    from idrs.synth.generator import staff_batch

    ctx = Context(SynthConfig(1000, SEED, AS_OF))
    staff = staff_batch(ctx)
    by_name = {s.username: s for s in staff.staff}
    people = {t.id: t for t in population.taxpayers}
    for s in staff.staff:
        if s.employment_type == "service":
            assert s.taxpayer_id is None
        else:
            assert s.taxpayer_id is not None and people[s.taxpayer_id].employee_flag
    assert by_name["mgr1"].manager_id == by_name["mgr2"].id
    assert by_name["exec1"].clearance == "top_secret"
    assert by_name["ctr1"].employment_type == "contractor"
    assert by_name["det1"].employment_type == "detailee"
    assert len({s.employee_number for s in staff.staff}) == len(staff.staff)
    spouse_of_staff = {
        link.related_id
        for link in population.links
        if link.kind == "spouse" and link.taxpayer_id in {s.taxpayer_id for s in staff.staff}
    }
    assert spouse_of_staff


def test_no_posting_or_date_is_after_as_of(population: Batch) -> None:
    dates: list[date] = [r.received_on for r in population.information_returns]
    dates += [r.received_on for r in population.filed_returns]
    dates += [h.status_date for h in population.status_history]
    dates += [a.valid_from for a in population.addresses]
    assert max(dates) <= AS_OF
