"""Password rules, hashing and TOTP codes (no database)."""

from __future__ import annotations

import dataclasses

import pytest
from argon2 import profiles
from hypothesis import given
from hypothesis import strategies as st

from idrs.auth.passwords import (
    AuthSettings,
    PasswordRejected,
    check_password,
    hash_password,
    needs_rehash,
    new_totp_secret,
    one_time_password,
    totp_code,
    totp_step,
    verify_password,
)
from idrs.errors import ConfigurationError
from tests.auth.helpers import cheap

CFG = cheap()


@given(st.text(max_size=13), st.sampled_from(["password", "new_password"]))
def test_any_password_shorter_than_the_minimum_is_refused_naming_the_field(
    short: str, field: str
) -> None:
    with pytest.raises(PasswordRejected) as err:
        check_password(short, "zz-user", CFG, field=field)
    assert err.value.field == field
    assert err.value.rule == "must be at least 14 characters"
    assert str(err.value) == f"{field}: must be at least 14 characters"  # never the value


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ", min_size=14, max_size=40))
def test_a_password_containing_the_username_is_refused_in_any_case(text: str) -> None:
    password = "x" + text[:10] + "RA-Ones" + text[10:] + "x"
    with pytest.raises(PasswordRejected) as err:
        check_password(password, "ra-ones", CFG)
    assert err.value.rule == "must not contain the username"


def test_the_minimum_length_is_a_setting() -> None:
    check_password("fourteen-chars", "u1", CFG)
    with pytest.raises(PasswordRejected):
        check_password("fourteen-chars", "u1", cheap(password_min_length=20))
    with pytest.raises(ConfigurationError):
        AuthSettings(lockout_attempts=0)


def test_settings_from_environment_with_defaults() -> None:
    cfg = AuthSettings.from_env({"IDRS_LOCKOUT_ATTEMPTS": "5", "IDRS_SESSION_FILE": "/x/s"})
    assert (cfg.lockout_attempts, cfg.password_min_length) == (5, 14)
    assert (cfg.idle_minutes, cfg.max_hours, str(cfg.session_file)) == (15, 12, "/x/s")
    assert cfg.argon2 == profiles.get_default_parameters()  # production: the library's choice
    with pytest.raises(ConfigurationError) as err:
        AuthSettings.from_env({"IDRS_SESSION_IDLE_MINUTES": "soon"})
    assert err.value.field == "IDRS_SESSION_IDLE_MINUTES"


def test_one_time_passwords_meet_the_rules_and_differ() -> None:
    seen = {one_time_password("ra1", CFG) for _ in range(20)}
    assert len(seen) == 20
    for p in seen:
        check_password(p, "ra1", CFG)


def test_argon2id_hash_verifies_and_rehash_follows_parameters() -> None:
    stored = hash_password("correct horse battery", CFG)
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert verify_password(stored, "correct horse battery", CFG)
    assert not verify_password(stored, "correct horse batterY", CFG)
    assert not verify_password(None, "anything at all here", CFG)  # unknown user: always no
    assert not verify_password("not a hash", "anything at all here", CFG)
    assert not needs_rehash(stored, CFG)
    stronger = cheap(argon2=dataclasses.replace(profiles.CHEAPEST, time_cost=2))
    assert needs_rehash(stored, stronger)


def test_totp_accepts_one_step_of_drift_and_each_step_once() -> None:
    secret = new_totp_secret()
    t = 1_800_000_000
    step = t // 30
    assert totp_step(secret, totp_code(secret, t), t, None) == step
    assert totp_step(secret, totp_code(secret, t - 30), t, None) == step - 1
    assert totp_step(secret, totp_code(secret, t + 30), t, None) == step + 1
    assert totp_step(secret, totp_code(secret, t - 60), t, None) is None  # too old
    assert totp_step(secret, totp_code(secret, t), t, step) is None  # already used
    assert totp_step(secret, totp_code(secret, t), t, step - 1) == step
    for bad in ("", "12345", "1234567", "abcdef", " 12345"):
        assert totp_step(secret, bad, t, None) is None
