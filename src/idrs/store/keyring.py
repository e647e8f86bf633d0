"""The local keyring: every secret the system holds, in one file outside git (mode 0600).

Generated at ``idrs init``. It holds the master key that wraps data keys (envelope encryption),
the blind-index keys (one per look-up purpose, so a leak of one index key does not link the
others), the audit commitment key (kept for the log's lifetime, never rotated) and the audit
log's Ed25519 signing key. Keys never appear in ``repr``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from idrs.errors import ConfigurationError

FORMAT = "idrs-keyring-v1"
BLIND_INDEX_PURPOSES = ("tin", "surname_zip", "street", "surname")


@dataclass(frozen=True)
class Keyring:
    master_key: bytes = field(repr=False)
    blind_index_keys: dict[str, bytes] = field(repr=False)
    audit_key: bytes = field(repr=False)
    audit_payload_key: bytes = field(repr=False)
    signing_key_raw: bytes = field(repr=False)
    log_name: str = "idrs.example/audit"

    def __post_init__(self) -> None:
        if len(self.master_key) != 32:
            raise ConfigurationError("keyring: master key must be 32 bytes", field="keyring")
        missing = set(BLIND_INDEX_PURPOSES) - set(self.blind_index_keys)
        if missing:
            raise ConfigurationError(
                f"keyring: blind-index keys missing for {sorted(missing)}", field="keyring"
            )

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing_key_raw)

    @classmethod
    def generate(cls, log_name: str = "idrs.example/audit") -> Keyring:
        signer = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives import serialization

        raw = signer.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(
            master_key=secrets.token_bytes(32),
            blind_index_keys={p: secrets.token_bytes(32) for p in BLIND_INDEX_PURPOSES},
            audit_key=secrets.token_bytes(32),
            audit_payload_key=secrets.token_bytes(32),
            signing_key_raw=raw,
            log_name=log_name,
        )

    def to_json(self) -> str:
        b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
        return json.dumps(
            {
                "format": FORMAT,
                "master_key": b64(self.master_key),
                "blind_index_keys": {k: b64(v) for k, v in sorted(self.blind_index_keys.items())},
                "audit_key": b64(self.audit_key),
                "audit_payload_key": b64(self.audit_payload_key),
                "signing_key": b64(self.signing_key_raw),
                "log_name": self.log_name,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            d = base64.b64decode
            return cls(
                master_key=d(data["master_key"]),
                blind_index_keys={k: d(v) for k, v in data["blind_index_keys"].items()},
                audit_key=d(data["audit_key"]),
                audit_payload_key=d(data["audit_payload_key"]),
                signing_key_raw=d(data["signing_key"]),
                log_name=data.get("log_name", "idrs.example/audit"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"keyring: file is damaged or not a keyring ({exc})", field="keyring"
            ) from exc


def save_keyring(keyring: Keyring, path: Path) -> None:
    """Write the keyring with mode 0600, refusing to overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise ConfigurationError(
            f"keyring: {path} already exists; refusing to overwrite keys", field="keyring"
        ) from exc
    with os.fdopen(fd, "w") as fh:
        fh.write(keyring.to_json())


def load_keyring(path: Path) -> Keyring:
    if not path.exists():
        raise ConfigurationError(
            f"keyring: {path} not found; run `idrs init` first (or set IDRS_KEYRING)",
            field="IDRS_KEYRING",
        )
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigurationError(
            f"keyring: {path} is readable by others (mode {mode:o}); chmod 600 it",
            field="IDRS_KEYRING",
        )
    return Keyring.from_json(path.read_text())
