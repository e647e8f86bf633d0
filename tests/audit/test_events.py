"""Audit events: tag grammar, what a leaf may and may not contain, sealing, canonical bytes."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idrs.audit.canonical import canonical_json
from idrs.audit.encoding import (
    actor_commitment,
    encode,
    leaf_bytes,
    leaf_dict,
    taxpayer_commitment,
    unseal,
)
from idrs.audit.events import (
    AuditError,
    Decision,
    Event,
    Outcome,
    Tag,
    check_tag,
    command_event,
    decode_leaf,
    system_event,
)
from idrs.audit.merkle import leaf_hash
from idrs.errors import InvalidInput
from idrs.store.keyring import Keyring

AT = datetime(2026, 4, 15, 14, 30, 0, 123456, tzinfo=UTC)


def _read_event(**extra: object) -> Event:
    return command_event(
        Tag.GATE_ACCOUNT_READ,
        actor="staff:42",
        command="TXMOD",
        decision=Decision.PERMIT,
        at=AT,
        taxpayer="tp:9876",
        reasons=["grant.case_assigned"],
        categories=["balance", "transactions"],
        rows=7,
        payload=b'{"tin":"123-45-6789","name":"JANE Q SAMPLE","balance":12345}',
        policy_hash="ab" * 32,
        facts=b"grant 77 active for staff 42 and taxpayer 9876",
        session="s-1",
        terminal="T042",
        client="10.0.0.7",
        purpose="case work",
        case_id="C-2026-001",
        grant_id="G-77",
        **extra,  # type: ignore[arg-type]
    )


def test_every_tag_follows_the_grammar() -> None:
    for tag in Tag:
        source, subject, action = tag.value.split(":")
        assert source and subject and action
    assert Tag.parse("gate:account:read") is Tag.GATE_ACCOUNT_READ


@pytest.mark.parametrize(
    "bad", ["gate:account", "Gate:account:read", "gate:account:read:x", "gate::read", "", "a b:c:d"]
)
def test_tag_grammar_check_raises(bad: str) -> None:
    with pytest.raises(InvalidInput, match="source:subject:action"):
        check_tag(bad)


def test_unknown_tag_is_refused_even_if_well_formed() -> None:
    with pytest.raises(InvalidInput, match="not a known audit tag"):
        Tag.parse("gate:account:peek")
    with pytest.raises(InvalidInput):
        system_event("gate:account:peek")


def test_leaf_holds_commitments_never_ids_tins_names_or_plain_hashes(keyring: Keyring) -> None:
    sealed = {"tin": "123-45-6789", "name": "JANE Q SAMPLE", "screen": "TXMOD 202312"}
    event = _read_event(sealed=sealed)
    enc = encode(event, keyring)
    text = enc.leaf.decode()
    for secret in ("123-45-6789", "123456789", "JANE", "staff:42", "tp:9876", "9876"):
        assert secret not in text
    assert hashlib.sha256(event.payload or b"").hexdigest() not in text  # no plain hash
    leaf = decode_leaf(enc.leaf)
    assert leaf["actor"] == actor_commitment(keyring, "staff:42").hex()
    assert leaf["taxpayer"] == taxpayer_commitment(keyring, "tp:9876").hex()
    assert enc.actor == actor_commitment(keyring, "staff:42")
    assert enc.taxpayer == taxpayer_commitment(keyring, "tp:9876")
    assert leaf["sealed"] == hashlib.sha256(enc.sealed or b"").hexdigest()
    assert unseal(keyring, enc.sealed or b"") == sealed


def test_leaf_records_who_what_when_where_why_and_outcome(keyring: Keyring) -> None:
    leaf = decode_leaf(encode(_read_event(), keyring).leaf)
    assert leaf["v"] == 1
    assert leaf["tag"] == "gate:account:read"
    assert leaf["at"] == 1_776_263_400_123_456  # integer microseconds, UTC
    assert (leaf["command"], leaf["rows"], leaf["categories"]) == (
        "TXMOD",
        7,
        ["balance", "transactions"],
    )
    assert (leaf["decision"], leaf["reasons"], leaf["outcome"]) == (
        "permit",
        ["grant.case_assigned"],
        "ok",
    )
    assert (leaf["session"], leaf["terminal"], leaf["client"]) == ("s-1", "T042", "10.0.0.7")
    assert (leaf["purpose"], leaf["case_id"], leaf["grant_id"]) == (
        "case work",
        "C-2026-001",
        "G-77",
    )
    assert leaf["policy_hash"] == "ab" * 32
    assert len(bytes.fromhex(leaf["payload"])) == 32
    assert len(bytes.fromhex(leaf["facts"])) == 32


def test_commitments_are_keyed_and_domain_separated(keyring: Keyring) -> None:
    other = Keyring.generate()
    assert actor_commitment(keyring, 42) == actor_commitment(keyring, "42")
    assert actor_commitment(keyring, 42) != actor_commitment(other, 42)
    assert actor_commitment(keyring, 42) != taxpayer_commitment(keyring, 42)
    assert actor_commitment(keyring, 42) != hashlib.sha256(b"42").digest()
    # it is plain HMAC-SHA256 under the audit key, so anyone holding the key can recompute it
    expected = hmac.digest(keyring.audit_key, b"idrs-audit-v1\x00actor\x0042", "sha256")
    assert actor_commitment(keyring, 42) == expected


def test_leaf_bytes_are_canonical_json_and_hash_as_rfc9162_leaf(keyring: Keyring) -> None:
    enc = encode(_read_event(), keyring)
    assert canonical_json(json.loads(enc.leaf)) == enc.leaf
    assert enc.leaf_hash == leaf_hash(enc.leaf)


def test_same_event_encodes_to_same_leaf_but_seal_is_fresh(keyring: Keyring) -> None:
    e = _read_event(sealed={"x": "y"})
    a, b = encode(e, keyring), encode(e, keyring)
    assert a.sealed != b.sealed  # random nonce
    assert decode_leaf(a.leaf)["sealed"] != decode_leaf(b.leaf)["sealed"]
    plain = _read_event()
    assert encode(plain, keyring).leaf == encode(plain, keyring).leaf


def test_altered_sealed_blob_does_not_decrypt(keyring: Keyring) -> None:
    blob = encode(_read_event(sealed={"tin": "123-45-6789"}), keyring).sealed or b""
    bad = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(AuditError, match="does not decrypt"):
        unseal(keyring, bad)
    with pytest.raises(AuditError):
        unseal(Keyring.generate(), blob)


@pytest.mark.parametrize("value", ["123456789", "123-45-6789", "12-3456789"])
def test_tin_shaped_values_never_go_into_the_clear(value: str) -> None:
    with pytest.raises(InvalidInput, match="looks like a TIN"):
        system_event(Tag.SYSTEM_DB_INIT, {"note": value})
    with pytest.raises(InvalidInput, match="looks like a TIN"):
        system_event(Tag.SYSTEM_DB_INIT, {"nested": [{"x": value}]})
    with pytest.raises(InvalidInput, match="looks like a TIN"):
        Event(tag=Tag.GATE_ACCOUNT_READ, at=AT, actor="staff:1", purpose=value)


def test_surrogate_ids_may_be_any_digits_because_they_are_committed(keyring: Keyring) -> None:
    e = Event(tag=Tag.GATE_ACCOUNT_READ, at=AT, actor="123456789", taxpayer="987654321")
    assert "987654321" not in encode(e, keyring).leaf.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("detail", {"ratio": 0.5}),
        ("detail", {"big": 2**60}),
        ("rows", -1),
        ("rows", True),
        ("policy_hash", "not-hex"),
        ("at", datetime(2026, 1, 1)),  # naive
        ("command", "TX MOD"),
        ("actor", ""),
    ],
)
def test_invalid_fields_raise(field: str, value: object) -> None:
    kwargs: dict[str, object] = {"tag": Tag.GATE_ACCOUNT_READ, "at": AT, "actor": "staff:1"}
    kwargs[field] = value
    with pytest.raises(InvalidInput):
        Event(**kwargs)  # type: ignore[arg-type]


def test_reasons_need_a_decision() -> None:
    with pytest.raises(InvalidInput, match="decision"):
        Event(tag=Tag.GATE_ACCOUNT_READ, at=AT, actor="staff:1", reasons=("x",))


def test_system_event_is_easy_and_defaults_to_operator(keyring: Keyring) -> None:
    e = system_event(Tag.SYNTH_POPULATION_GENERATE, {"seed": 7, "taxpayers": 1000}, at=AT)
    leaf = decode_leaf(encode(e, keyring).leaf)
    assert leaf["tag"] == "synth:population:generate"
    assert leaf["detail"] == {"seed": 7, "taxpayers": 1000}
    assert leaf["actor"] == actor_commitment(keyring, "operator").hex()
    assert "taxpayer" not in leaf
    failed = system_event("system:db:init", outcome=Outcome.ERROR)
    assert failed.tag is Tag.SYSTEM_DB_INIT and failed.outcome is Outcome.ERROR


def test_decode_leaf_refuses_non_events() -> None:
    for raw in (b"not json", b"[1]", b'{"v":2,"tag":"x"}', b'{"tag":"x"}'):
        with pytest.raises(AuditError):
            decode_leaf(raw)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).filter(
        lambda s: not s.strip().replace("-", "").isdigit()
    ),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=50)
@given(detail=st.dictionaries(st.text(max_size=8), _json, max_size=5))
def test_any_detail_in_the_domain_round_trips_exactly(
    keyring: Keyring, detail: dict[str, object]
) -> None:
    e = system_event(Tag.BATCH_JOB_RUN, detail, at=AT)
    enc = encode(e, keyring)
    assert decode_leaf(enc.leaf).get("detail", {}) == detail
    assert canonical_json(json.loads(enc.leaf)) == enc.leaf


def _not_tin(s: str) -> bool:
    return not re.fullmatch(r"\d{9}|\d{3}-\d{2}-\d{4}|\d{2}-\d{7}", s.strip())


_codes = st.from_regex(r"[A-Za-z0-9_.:/@#\[\]-]{1,20}", fullmatch=True).filter(_not_tin)
_free = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
    _not_tin
)


@settings(max_examples=80)
@given(
    data=st.fixed_dictionaries(
        {
            "tag": st.sampled_from(list(Tag)),
            "at": st.integers(0, 2**53 - 1),
            "actor": _codes,
            "outcome": st.sampled_from(list(Outcome)),
        },
        optional={
            "taxpayer": _codes,
            "command": _codes,
            "categories": st.lists(_codes, max_size=3).map(tuple),
            "rows": st.integers(0, 2**53 - 1),
            "payload": st.binary(max_size=20),
            "session": _codes,
            "terminal": _codes,
            "client": _codes,
            "purpose": _free,
            "case_id": _codes,
            "grant_id": _codes,
            "agreement_id": _free,
            "decision": st.sampled_from(list(Decision)),
            "policy_hash": st.binary(min_size=32, max_size=32).map(bytes.hex),
            "facts": st.binary(max_size=20),
            "detail": st.dictionaries(st.text(max_size=6), _json, max_size=3),
        },
    ),
    blob=st.none() | st.binary(min_size=1, max_size=8),
)
def test_the_fast_leaf_writer_matches_the_reference_encoder(
    keyring: Keyring, data: dict[str, object], blob: bytes | None
) -> None:
    if "decision" in data:
        data["reasons"] = ("r.one", "r-two")
    event = Event(**data)  # type: ignore[arg-type]
    actor = actor_commitment(keyring, event.actor)
    taxpayer = None if event.taxpayer is None else taxpayer_commitment(keyring, event.taxpayer)
    fast = leaf_bytes(event, keyring, blob, actor, taxpayer)
    assert fast == canonical_json(leaf_dict(event, keyring, blob))
