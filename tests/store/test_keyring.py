"""The keyring file: created 0600, never overwritten, refused when readable by others."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from idrs.errors import ConfigurationError
from idrs.store.keyring import Keyring, load_keyring, save_keyring


def test_round_trip_and_mode(tmp_path: Path) -> None:
    ring = Keyring.generate()
    path = tmp_path / "k" / "keyring.json"
    save_keyring(ring, path)
    assert path.stat().st_mode & 0o777 == 0o600
    again = load_keyring(path)
    assert again == ring
    assert again.signing_key.public_key() is not None


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    save_keyring(Keyring.generate(), path)
    with pytest.raises(ConfigurationError, match="refusing to overwrite"):
        save_keyring(Keyring.generate(), path)


def test_refuses_world_readable(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    save_keyring(Keyring.generate(), path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_keyring(path)


def test_missing_keyring_says_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="idrs init"):
        load_keyring(tmp_path / "nope.json")


def test_damaged_keyring(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b'{"format": "something-else"}')
    os.close(fd)
    with pytest.raises(ConfigurationError, match="damaged"):
        load_keyring(path)


def test_repr_shows_no_key_material() -> None:
    ring = Keyring.generate()
    text = repr(ring)
    assert ring.master_key.hex() not in text
    assert "master_key" not in text
