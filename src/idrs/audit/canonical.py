"""Canonical JSON (RFC 8785, JCS) for audit events, over a deliberately restricted value domain.

Why canonical: an audit entry is hashed into the Merkle log, so the same event must always
serialise to the same bytes, in any implementation, forever; otherwise a verifier that
re-encodes an event gets a different leaf hash.

Why restricted: the hard part of RFC 8785 is numbers — it serialises every number the way
ECMAScript's ``Number.prototype.toString`` does for IEEE-754 doubles (shortest round-trip,
exponent rules). By admitting only ``dict`` (str keys), ``list``, ``str``, ``int`` with
|i| ≤ 2**53 − 1, ``bool`` and ``None``, that part disappears: such integers are exact
doubles and ECMAScript prints them as plain decimal digits, which is what ``str(int)`` gives.
Money is stored as integer cents and dates as strings, so we lose nothing. What remains is:

* strings: RFC 8785 §3.2.2.2 escapes ``"`` and ``\\``, uses ``\\b \\t \\n \\f \\r`` and
  ``\\u00xx`` (lower-case hex) for the other C0 controls, and emits everything else —
  including DEL, U+2028 and U+2029 — as raw UTF-8. ``json.dumps(ensure_ascii=False)``
  escapes exactly that set the same way. Lone surrogates cannot be encoded as UTF-8, and
  RFC 8785 requires rejecting them, so we do.
* object keys: sorted by their UTF-16 code units (§3.2.3), which differs from Python's
  code-point order for characters above U+FFFF versus U+E000..U+FFFF; comparing the
  UTF-16-BE encodings gives exactly code-unit order.

Why two paths: the gate commits to every payload it returns, so this runs on every request,
and walking the value in Python to write it piece by piece cost more than the database work.
A value made only of the exact built-in types, with its integers in range and no object key
holding a character at or above U+E000 (where code-point and UTF-16 order could disagree), is
written by the C JSON encoder with sorted keys, which then gives exactly the bytes above; a
check walk decides this first. Anything else (subclasses, floats, a lone surrogate, such keys)
takes the reference path, which also names the offending path in its error.

A property test checks byte-identical output against the ``rfc8785`` package.
Depends only on the standard library (it is part of the offline verifier).
"""

from __future__ import annotations

import json

__all__ = ["MAX_SAFE_INTEGER", "CanonicalError", "canonical_json", "loads_canonical"]

MAX_SAFE_INTEGER = 2**53 - 1


class CanonicalError(ValueError):
    """A value outside the canonical domain; the message names its path."""


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


def _string(value: str, path: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError(f"{path}: lone surrogates are not allowed") from None
    return json.dumps(value, ensure_ascii=False)


def _encode(value: object, path: str, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value, path))
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalError(f"{path}: integer {value} exceeds ±(2**53 - 1)")
        out.append(str(int(value)))
    elif isinstance(value, float):
        raise CanonicalError(f"{path}: floats are not allowed")
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, f"{path}[{i}]", out)
        out.append("]")
    elif isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise CanonicalError(f"{path}: object keys must be str, got {key!r}")
            _string(key, _member(path, "<key>"))
        out.append("{")
        for i, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be"))):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _encode(value[key], _member(path, key), out)
        out.append("}")
    else:
        raise CanonicalError(f"{path}: {type(value).__name__} is not allowed")


_fast_json = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode


def _plain(value: object) -> bool:
    """Whether the C encoder writes ``value`` canonically (see the module note)."""
    if type(value) is str or type(value) is bool or value is None:
        return True
    if type(value) is int:
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if type(value) is list:
        return all(map(_plain, value))
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str or (key and max(key) >= "\ue000") or not _plain(item):
                return False
        return True
    return False


def canonical_json(obj: object, *, name: str = "value") -> bytes:
    """RFC 8785 canonical UTF-8 bytes of ``obj``; ``name`` prefixes paths in error messages."""
    if _plain(obj):
        try:
            return str(_fast_json(obj)).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: the reference path refuses it, naming where
    out: list[str] = []
    _encode(obj, name, out)
    return "".join(out).encode("utf-8")


def loads_canonical(data: bytes, *, name: str = "value") -> object:
    """Parse JSON bytes and require that they are already in canonical form."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalError(f"{name}: not valid JSON ({exc})") from None
    if canonical_json(obj, name=name) != data:
        raise CanonicalError(f"{name}: JSON is not in canonical (RFC 8785) form")
    return obj
