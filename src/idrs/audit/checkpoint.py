"""Signed checkpoints: C2SP tlog-checkpoint bodies wrapped in C2SP signed notes (Ed25519).

Why this format: it is what the transparency-dev ecosystem (Go ``note`` / ``tlog`` packages,
witnesses, Sigsum, Rekor v2) reads, so any third party can check our tree heads with existing
tools, and it is plain text that survives e-mail and printing. A checkpoint binds the tree
size to the root hash — an inclusion proof alone does not bind the size.

Body (https://c2sp.org/tlog-checkpoint)::

    <origin>\\n<tree size, decimal>\\n<base64 root hash>\\n[<extension line>\\n ...]

Note (https://c2sp.org/signed-note): the body, a blank line, then one or more lines
``— <key name> <base64(4-byte key ID ‖ signature)>\\n`` (U+2014 EM DASH, space). The key ID is
the first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key); 0x01 is the
Ed25519 signature type. A verifier key is written ``<name>+<hex8 key ID>+<base64(0x01 ‖ key)>``
and a signer key ``PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x01 ‖ seed)>`` (Go ``note``).

Depends only on the standard library and ``cryptography`` (it is part of the offline verifier).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

__all__ = [
    "MAX_SIGNATURES",
    "Checkpoint",
    "CheckpointError",
    "Verifier",
    "key_id",
    "open_checkpoint",
    "parse_checkpoint_body",
    "parse_signer_key",
    "parse_verifier_key",
    "sign_checkpoint",
    "signer_key",
    "verifier_key",
]

ALG_ED25519 = 0x01
SIG_PREFIX = "— "  # U+2014 EM DASH, space
MAX_SIGNATURES = 100
ROOT_SIZE = 32
_MAX_TREE_SIZE = 2**63 - 1


class CheckpointError(ValueError):
    """A checkpoint, note or key is malformed or not signed; the message names the part."""


def _b64decode(text: str) -> bytes:
    """Strict standard base64: padded, canonical, no whitespace."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError("bad base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("bad base64")
    return raw


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_key_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() or ord(c) < 0x20 for c in name):
        raise CheckpointError(f"checkpoint: invalid key name {name!r}")


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte key ID: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
    data = name.encode() + b"\n" + bytes([ALG_ED25519]) + _raw_public(public_key)
    return hashlib.sha256(data).digest()[:4]


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's origin line, its size and the RFC 9162 root hash."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("checkpoint: origin must be one non-empty line")
        if isinstance(self.size, bool) or not 0 <= self.size <= _MAX_TREE_SIZE:
            raise CheckpointError(f"checkpoint: tree size {self.size!r} out of range")
        if len(self.root_hash) != ROOT_SIZE:
            raise CheckpointError(f"checkpoint: root hash must be {ROOT_SIZE} bytes")
        object.__setattr__(self, "extensions", tuple(self.extensions))
        if any(not e or "\n" in e for e in self.extensions):
            raise CheckpointError("checkpoint: extension lines must be non-empty single lines")

    def body(self) -> bytes:
        """The checkpoint body, the exact bytes that are signed."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return ("\n".join([*lines, *self.extensions]) + "\n").encode()


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key with its note key ID."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @property
    def label(self) -> str:
        """``name+hex8`` as used in error messages."""
        return f"{self.name}+{self.key_id.hex()}"

    def __str__(self) -> str:
        return verifier_key(self.name, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The verifier key text ``<name>+<hex8 key id>+<base64(0x01 ‖ pubkey)>``."""
    _check_key_name(name)
    raw = base64.b64encode(bytes([ALG_ED25519]) + _raw_public(public_key)).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{raw}"


def parse_verifier_key(text: str) -> Verifier:
    """Parse a verifier key (surrounding whitespace ignored); the key ID must match."""
    parts = text.strip().split("+", 2)  # the base64 key may itself contain "+"
    if len(parts) != 3:
        raise CheckpointError("checkpoint: verifier key must be <name>+<hex8>+<base64 key>")
    name, hex_id, b64 = parts
    _check_key_name(name)
    if len(hex_id) != 8 or any(c not in "0123456789abcdef" for c in hex_id):
        raise CheckpointError("checkpoint: verifier key: key ID must be 8 lowercase hex digits")
    try:
        raw = _b64decode(b64)
    except ValueError:
        raise CheckpointError("checkpoint: verifier key: bad base64") from None
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise CheckpointError("checkpoint: verifier key: not an Ed25519 key (0x01 ‖ 32 bytes)")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    kid = key_id(name, public_key)
    if kid.hex() != hex_id:
        raise CheckpointError("checkpoint: verifier key: key ID does not match name and key")
    return Verifier(name, kid, public_key)


def signer_key(name: str, private_key: Ed25519PrivateKey) -> str:
    """The signer key text ``PRIVATE+KEY+<name>+<hex8>+<base64(0x01 ‖ seed)>``. Keep secret."""
    _check_key_name(name)
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    kid = key_id(name, private_key.public_key()).hex()
    return f"PRIVATE+KEY+{name}+{kid}+{base64.b64encode(bytes([ALG_ED25519]) + seed).decode()}"


def parse_signer_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    """Parse a signer key into (name, private key); the key ID must match."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise CheckpointError("checkpoint: signer key must be PRIVATE+KEY+<name>+<hex8>+<key>")
    name, hex_id, b64 = parts[2:]
    _check_key_name(name)
    try:
        raw = _b64decode(b64)
    except ValueError:
        raise CheckpointError("checkpoint: signer key: bad base64") from None
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise CheckpointError("checkpoint: signer key: not an Ed25519 key (0x01 ‖ 32 bytes)")
    private_key = Ed25519PrivateKey.from_private_bytes(raw[1:])
    if key_id(name, private_key.public_key()).hex() != hex_id:
        raise CheckpointError("checkpoint: signer key: key ID does not match name and key")
    return name, private_key


def sign_checkpoint(cp: Checkpoint, name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note text for ``cp``, with one Ed25519 signature by ``name``."""
    _check_key_name(name)
    body = cp.body()
    sig = key_id(name, private_key.public_key()) + private_key.sign(body)
    return f"{body.decode()}\n{SIG_PREFIX}{name} {base64.b64encode(sig).decode()}\n"


def parse_checkpoint_body(body: str) -> Checkpoint:
    """Parse a checkpoint body (text ending in a newline) without checking any signature."""
    lines = body.split("\n")
    if lines[-1] != "":
        raise CheckpointError("checkpoint: body must end with a newline")
    lines = lines[:-1]
    if len(lines) < 3:
        raise CheckpointError(f"checkpoint: body has {len(lines)} lines, needs at least 3")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise CheckpointError("checkpoint: body line 1: origin must not be empty")
    leading_zero = len(size_text) > 1 and size_text[0] == "0"
    if not (size_text.isascii() and size_text.isdigit()) or leading_zero:
        raise CheckpointError("checkpoint: body line 2: tree size must be a decimal number")
    if len(size_text) > 19 or int(size_text) > _MAX_TREE_SIZE:
        raise CheckpointError("checkpoint: body line 2: tree size too large")
    try:
        root_hash = _b64decode(root_text)
    except ValueError:
        raise CheckpointError("checkpoint: body line 3: root hash: bad base64") from None
    if len(root_hash) != ROOT_SIZE:
        raise CheckpointError(
            f"checkpoint: body line 3: root hash must be {ROOT_SIZE} bytes, got {len(root_hash)}"
        )
    for n, ext in enumerate(extensions, start=4):
        if not ext:
            raise CheckpointError(f"checkpoint: body line {n}: extension line must not be empty")
    return Checkpoint(origin, int(size_text), root_hash, tuple(extensions))


def open_checkpoint(note_text: str | bytes, verifier: Verifier) -> Checkpoint:
    """Verify ``verifier``'s signature on a signed note and parse its checkpoint body.

    Signatures by other keys are ignored (they may be witnesses), but every signature line
    must be well formed. Raises :class:`CheckpointError` naming the failing part.
    """
    if isinstance(note_text, bytes):
        try:
            note_text = note_text.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError("checkpoint: not valid UTF-8") from None
    try:
        note_text.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError("checkpoint: not valid UTF-8") from None
    if any((ord(c) < 0x20 and c != "\n") or c == "\x7f" for c in note_text):
        raise CheckpointError("checkpoint: control characters other than newline")
    if not note_text.endswith("\n"):
        raise CheckpointError("checkpoint: missing trailing newline")
    split = note_text.rfind("\n\n")
    if split < 0:
        raise CheckpointError("checkpoint: no blank line between body and signatures")
    body, sig_block = note_text[: split + 1], note_text[split + 2 :]
    sig_lines = sig_block.split("\n")[:-1]
    if not sig_lines:
        raise CheckpointError("checkpoint: no signature lines")
    if len(sig_lines) > MAX_SIGNATURES:
        raise CheckpointError(f"checkpoint: more than {MAX_SIGNATURES} signatures")
    matching: list[bytes] = []
    for n, line in enumerate(sig_lines, start=1):
        where = f"checkpoint: signature line {n}"
        if not line.startswith(SIG_PREFIX):
            raise CheckpointError(f"{where}: must start with an em dash and a space")
        parts = line[len(SIG_PREFIX) :].split(" ")
        if len(parts) != 2 or not parts[0]:
            raise CheckpointError(f"{where}: must be '— <key name> <base64 signature>'")
        name, b64 = parts
        try:
            raw = _b64decode(b64)
        except ValueError:
            raise CheckpointError(f"{where}: bad base64") from None
        if len(raw) < 5:
            raise CheckpointError(f"{where}: signature too short")
        if name == verifier.name and raw[:4] == verifier.key_id:
            matching.append(raw[4:])
    if not matching:
        raise CheckpointError(f"checkpoint: no signature by key {verifier.label}")
    message = body.encode("utf-8")
    if not any(verifier.verify(message, sig) for sig in matching):
        raise CheckpointError(f"checkpoint: signature by key {verifier.label} does not verify")
    return parse_checkpoint_body(body)
