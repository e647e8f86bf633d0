"""Password rules, Argon2id hashing, TOTP codes, and the sign-on settings.

Why these choices:

* **Argon2id** (RFC 9106) through ``argon2-cffi``: memory-hard, so a stolen table of hashes is
  expensive to attack. Production uses the library's default profile (RFC 9106 low-memory);
  tests pass a cheaper one explicitly. A hash made under older parameters is replaced at the
  next good sign-on.
* **Rules**: at least 14 characters (IRS Pub 1075 figure, a public stand-in for the OUO IDRS
  value — ``[verify]`` against the current edition), and never containing the username. No
  composition rules: NIST SP 800-63B §3.1.1.2 advises against them.
* **TOTP** (RFC 6238, ``pyotp``): six digits, 30-second steps, one step of clock drift either
  way; a code is accepted once (the last accepted step is stored).

The figures are settings, not constants (``AuthSettings``): Pub 1075's numbers (14 characters,
3 attempts, 15-minute idle lock) come from the reference notes and still carry a ``[verify]``.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import astuple, dataclass, field
from pathlib import Path

import pyotp
from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from idrs.errors import ConfigurationError, IdrsError
from idrs.settings import positive_int

DEFAULT_SESSION_FILE = "~/.idrs/session"
MAX_PASSWORD = 256  # Argon2 takes any length; a cap keeps one request from being a DoS
TOTP_DIGITS = 6
TOTP_DRIFT_STEPS = 1
ISSUER = "IDRS (synthetic)"
# no look-alikes (0/O, 1/l/I) so a one-time password can be read out and typed
_OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
_DIGITS = re.compile(rf"\d{{{TOTP_DIGITS}}}")


class PasswordRejected(IdrsError):
    """A new password breaks a rule; the message names the field and the rule, never the value."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}", field=field, rule=rule)


@dataclass(frozen=True)
class AuthSettings:
    """Sign-on settings, read once (``from_env``) or built by a test.

    ``argon2`` is deliberately not read from the environment: production always hashes with
    the library's recommended parameters; only code (tests) can choose cheaper ones.
    """

    password_min_length: int = 14
    lockout_attempts: int = 3
    idle_minutes: int = 15
    max_hours: int = 12
    session_file: Path = field(default_factory=lambda: Path(DEFAULT_SESSION_FILE).expanduser())
    argon2: Parameters = field(default_factory=profiles.get_default_parameters, repr=False)

    def __post_init__(self) -> None:
        for name in ("password_min_length", "lockout_attempts", "idle_minutes", "max_hours"):
            if getattr(self, name) <= 0:
                raise ConfigurationError(f"{name}: must be positive", field=name, rule="> 0")

    @property
    def hasher(self) -> PasswordHasher:
        return _hasher(self.argon2)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuthSettings:
        env = os.environ if env is None else env
        raw_file = env.get("IDRS_SESSION_FILE") or DEFAULT_SESSION_FILE
        return cls(
            password_min_length=positive_int(env, "IDRS_PASSWORD_MIN_LENGTH", 14),
            lockout_attempts=positive_int(env, "IDRS_LOCKOUT_ATTEMPTS", 3),
            idle_minutes=positive_int(env, "IDRS_SESSION_IDLE_MINUTES", 15),
            max_hours=positive_int(env, "IDRS_SESSION_MAX_HOURS", 12),
            session_file=Path(raw_file).expanduser(),
        )


_HASHERS: dict[tuple[object, ...], tuple[PasswordHasher, str]] = {}


def _hasher(params: Parameters) -> PasswordHasher:
    return _cached(params)[0]


def _dummy_hash(params: Parameters) -> str:
    """A hash to verify against when the username is unknown, so both take the same time."""
    return _cached(params)[1]


def _cached(params: Parameters) -> tuple[PasswordHasher, str]:
    key = astuple(params)  # Parameters is not hashable itself
    if key not in _HASHERS:
        hasher = PasswordHasher.from_parameters(params)
        _HASHERS[key] = (hasher, hasher.hash(secrets.token_urlsafe(16)))
    return _HASHERS[key]


# -- rules ------------------------------------------------------------------------------------
def check_password(
    password: str, username: str, settings: AuthSettings, *, field: str = "password"
) -> None:
    """Raise :class:`PasswordRejected` unless ``password`` meets every rule."""
    if not isinstance(password, str):
        raise PasswordRejected(field, "must be text")
    if len(password) < settings.password_min_length:
        raise PasswordRejected(field, f"must be at least {settings.password_min_length} characters")
    if len(password) > MAX_PASSWORD:
        raise PasswordRejected(field, f"must be at most {MAX_PASSWORD} characters")
    if username and username.casefold() in password.casefold():
        raise PasswordRejected(field, "must not contain the username")
    if password.strip() != password:
        raise PasswordRejected(field, "must not begin or end with spaces")


def one_time_password(username: str, settings: AuthSettings) -> str:
    """A random issued password that meets the rules (at least 20 characters, ~114 bits)."""
    length = max(20, settings.password_min_length)
    while True:
        candidate = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(length))
        try:
            check_password(candidate, username, settings)
        except PasswordRejected:  # pragma: no cover - only if the username is inside it
            continue
        return candidate


# -- hashing ----------------------------------------------------------------------------------
def hash_password(password: str, settings: AuthSettings) -> str:
    return settings.hasher.hash(password)


def verify_password(stored: str | None, password: str, settings: AuthSettings) -> bool:
    """True if ``password`` matches ``stored``; with ``stored=None`` spend the time and say no."""
    target = _dummy_hash(settings.argon2) if stored is None else stored
    try:
        good = settings.hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return good and stored is not None


def needs_rehash(stored: str, settings: AuthSettings) -> bool:
    return settings.hasher.check_needs_rehash(stored)


# -- TOTP -------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    """A base32 secret of 160 bits (RFC 4226 §4 recommends at least 128, SHA-1's block: 160)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def totp_step(secret: str, code: str, unix_seconds: int, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (±1 step of drift), or None if it is wrong or reused."""
    if not isinstance(code, str) or not _DIGITS.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS)
    now_step = totp.timecode(unix_seconds)
    found = None
    for step in range(now_step - TOTP_DRIFT_STEPS, now_step + TOTP_DRIFT_STEPS + 1):
        # compare every candidate so the time taken does not depend on which one matched
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


def totp_code(secret: str, unix_seconds: int) -> str:
    """The current code for ``secret`` (what an authenticator app shows; tests use it)."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS).at(unix_seconds)
