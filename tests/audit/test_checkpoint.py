"""Signed checkpoints (C2SP tlog-checkpoint + signed-note, Ed25519)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from idrs.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    key_id,
    open_checkpoint,
    parse_checkpoint_body,
    parse_signer_key,
    parse_verifier_key,
    sign_checkpoint,
    signer_key,
    verifier_key,
)

NAME = "idrs.example/audit"
# A fixed key so messages with key IDs are predictable.
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
VERIFIER = parse_verifier_key(verifier_key(NAME, KEY.public_key()))
ROOT = hashlib.sha256(b"root").digest()
CP = Checkpoint(NAME, 12345, ROOT)


def raw_pub(k: Ed25519PrivateKey) -> bytes:
    return k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_body_format() -> None:
    b64 = base64.b64encode(ROOT).decode()
    assert CP.body() == f"{NAME}\n12345\n{b64}\n".encode()
    with_ext = Checkpoint(NAME, 1, ROOT, ("ext one", "ext two"))
    assert with_ext.body().endswith(b"\next one\next two\n")
    assert parse_checkpoint_body(with_ext.body().decode()) == with_ext


def test_key_id_and_verifier_key_text() -> None:
    want = hashlib.sha256(NAME.encode() + b"\n\x01" + raw_pub(KEY)).digest()[:4]
    assert key_id(NAME, KEY.public_key()) == want
    text = verifier_key(NAME, KEY.public_key())
    name, hex_id, b64 = text.split("+", 2)
    assert (name, hex_id) == (NAME, want.hex())
    assert base64.b64decode(b64) == b"\x01" + raw_pub(KEY)
    assert str(VERIFIER) == text
    assert VERIFIER.label == f"{NAME}+{want.hex()}"


def test_signer_key_round_trip() -> None:
    name, key = parse_signer_key(signer_key(NAME, KEY))
    assert name == NAME and raw_pub(key) == raw_pub(KEY)
    assert signer_key(NAME, KEY).startswith(f"PRIVATE+KEY+{NAME}+{VERIFIER.key_id.hex()}+")


def test_sign_and_open() -> None:
    note = sign_checkpoint(CP, NAME, KEY)
    body, sig = note.split("\n\n")
    assert body + "\n" == CP.body().decode()
    assert sig.startswith(f"\u2014 {NAME} ") and sig.endswith("\n")
    raw = base64.b64decode(sig.split(" ")[2])
    assert raw[:4] == VERIFIER.key_id and len(raw) == 68
    KEY.public_key().verify(raw[4:], CP.body())  # a plain Ed25519 signature over the body
    assert open_checkpoint(note, VERIFIER) == CP
    assert open_checkpoint(note.encode(), VERIFIER) == CP


@given(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc",)), min_size=1, max_size=20),
    st.integers(0, 2**63 - 1),
    st.binary(min_size=32, max_size=32),
)
def test_round_trip_any_checkpoint(origin: str, size: int, root: bytes) -> None:
    cp = Checkpoint(origin, size, root)
    assert open_checkpoint(sign_checkpoint(cp, NAME, KEY), VERIFIER) == cp


def test_other_signatures_are_ignored_and_witness_cosigned_notes_open() -> None:
    other = Ed25519PrivateKey.generate()
    note = sign_checkpoint(CP, NAME, KEY)
    extra = sign_checkpoint(CP, "witness.example", other).split("\n\n")[1]
    assert open_checkpoint(note + extra, VERIFIER) == CP
    witness = parse_verifier_key(verifier_key("witness.example", other.public_key()))
    assert open_checkpoint(note + extra, witness) == CP


def test_signature_over_changed_body_fails() -> None:
    note = sign_checkpoint(CP, NAME, KEY)
    changed = note.replace("\n12345\n", "\n12346\n")
    with pytest.raises(
        CheckpointError, match=re.escape(f"signature by key {VERIFIER.label} does not verify")
    ):
        open_checkpoint(changed, VERIFIER)


def test_wrong_key_same_name_is_not_a_matching_signature() -> None:
    note = sign_checkpoint(CP, NAME, Ed25519PrivateKey.generate())
    with pytest.raises(
        CheckpointError, match=f"^{re.escape(f'checkpoint: no signature by key {VERIFIER.label}')}$"
    ):
        open_checkpoint(note, VERIFIER)


def _note(body: str, sig_lines: str | None = None) -> str:
    """Sign an arbitrary body so only the part under test is wrong."""
    if sig_lines is None:
        sig = VERIFIER.key_id + KEY.sign(body.encode())
        sig_lines = f"\u2014 {NAME} {base64.b64encode(sig).decode()}\n"
    return f"{body}\n{sig_lines}"


B64 = base64.b64encode(ROOT).decode()
NOT_ED25519 = base64.b64encode(b"\x02" + bytes(32)).decode()
KEY_B64 = str(VERIFIER).split("+", 2)[2]
GOOD_SIG = _note(f"{NAME}\n1\n{B64}\n").split("\n\n")[1]


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (_note(f"{NAME}\nten\n{B64}\n"), "body line 2: tree size must be a decimal number"),
        (_note(f"{NAME}\n-1\n{B64}\n"), "body line 2: tree size must be a decimal number"),
        (_note(f"{NAME}\n01\n{B64}\n"), "body line 2: tree size must be a decimal number"),
        (_note(f"{NAME}\n\u0661\n{B64}\n"), "body line 2: tree size must be a decimal number"),
        (_note(f"{NAME}\n{2**64}\n{B64}\n"), "body line 2: tree size too large"),
        (_note(f"{NAME}\n1\n{B64[:-1]}\n"), "body line 3: root hash: bad base64"),
        (_note(f"{NAME}\n1\n{'A' * 42}B=\n"), "body line 3: root hash: bad base64"),
        (
            _note(f"{NAME}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n"),
            "body line 3: root hash must be 32 bytes, got 31",
        ),
        (_note(f"\n1\n{B64}\n"), "body line 1: origin must not be empty"),
        (_note(f"{NAME}\n1\n"), "body has 2 lines, needs at least 3"),
        (_note(f"{NAME}\n1\n{B64}\n\n"), "body line 4: extension line must not be empty"),
        (f"{NAME}\n1\n{B64}\n\n{GOOD_SIG}".rstrip("\n"), "missing trailing newline"),
        (f"{NAME}\n1\n{B64}\n{GOOD_SIG}", "no blank line between body and signatures"),
        (f"{NAME}\n1\n{B64}\n\n", "no signature lines"),
        (_note(f"{NAME}\n1\n{B64}\n", "- x AAAA\n"), "signature line 1: must start with an em"),
        (
            _note(f"{NAME}\n1\n{B64}\n", GOOD_SIG + f"\u2014 {NAME} !!!!\n"),
            "signature line 2: bad base64",
        ),
        (
            _note(f"{NAME}\n1\n{B64}\n", f"\u2014 {NAME} AAAA\n"),
            "signature line 1: signature too short",
        ),
        (_note(f"{NAME}\n1\n{B64}\n", f"\u2014 {NAME}\n"), "signature line 1: must be '"),
        (_note(f"{NAME}\n1\n{B64}\n", "\u2014 a b AAAAAAAA\n"), "signature line 1: must be '"),
        (_note(f"{NAME}\n1\n{B64}\n", f"\u2014 other {B64}\n" * 101), "more than 100 signatures"),
        (_note(f"{NAME}\r\n1\n{B64}\n"), "control characters other than newline"),
        ("bad \ud800 surrogate\n\n" + GOOD_SIG, "not valid UTF-8"),
        (b"\xff\n1\n\n" + GOOD_SIG.encode(), "not valid UTF-8"),
    ],
)
def test_malformed_notes_are_rejected_with_the_part_named(note: str | bytes, message: str) -> None:
    with pytest.raises(CheckpointError, match=r"^checkpoint: ") as info:
        open_checkpoint(note, VERIFIER)
    assert message in str(info.value)


def test_up_to_100_signatures_accepted() -> None:
    note = sign_checkpoint(CP, NAME, KEY)
    assert open_checkpoint(note + f"\u2014 other {B64}\n" * 99, VERIFIER) == CP


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no-plus-signs", "verifier key must be"),
        (f"{NAME}+zzzzzzzz+AAAA", "key ID must be 8 lowercase hex digits"),
        (f"{NAME}+{VERIFIER.key_id.hex()}+!!", "verifier key: bad base64"),
        (f"{NAME}+{VERIFIER.key_id.hex()}+{NOT_ED25519}", "not an Ed25519 key"),
        (f"{NAME}+00000000+{KEY_B64}", "key ID does not match"),
        (f"bad name+00000000+{KEY_B64}", "invalid key name"),
    ],
)
def test_malformed_verifier_keys(text: str, message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        parse_verifier_key(text)


def test_verifier_key_text_tolerates_surrounding_whitespace() -> None:
    assert parse_verifier_key(f"  {VERIFIER}\n").key_id == VERIFIER.key_id


@pytest.mark.parametrize(
    "kwargs",
    [
        {"origin": "", "size": 1, "root_hash": ROOT},
        {"origin": "a\nb", "size": 1, "root_hash": ROOT},
        {"origin": "a", "size": -1, "root_hash": ROOT},
        {"origin": "a", "size": True, "root_hash": ROOT},
        {"origin": "a", "size": 1, "root_hash": ROOT[:31]},
        {"origin": "a", "size": 1, "root_hash": ROOT, "extensions": ("",)},
    ],
)
def test_checkpoint_construction_validates(kwargs: dict) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(**kwargs)
