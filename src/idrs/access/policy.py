"""The access policies: Cedar texts loaded, validated against the schema and parsed once.

The policies live as package data in ``idrs/access/policies/`` (``idrs.cedarschema`` and
``*.cedar``, split by theme) so that reviewers read the rules as written, not as Python. At
start-up :func:`current` reads every file, validates the policies against the schema (a typo in
an attribute name or a type error is refused here, not discovered on some request years later),
checks that each policy carries ``@id``, ``@scope`` and ``@reason`` annotations, parses the set
into a reusable handle and caches it. A broken policy file stops the process with
:class:`PolicyLoadError` naming the file and the policy.

``policy_hash`` is SHA-256 over the schema and policy texts (each file as its name, its length
in bytes and its bytes, in name order), so the audit log can say which rules a decision was
made under.

Precomputed facts. The rules themselves are all in Cedar; Python only shapes the slice into
entities (:mod:`idrs.access.entities`) and runs them (:mod:`idrs.access.decide`):

* instants become Long microseconds since the Unix epoch (exact; Cedar's ``datetime`` keeps
  milliseconds only, which would blur the exclusive end of a term);
* the target's ``people`` is its taxpayer id plus, for a joint module, both spouses, so each
  conflict-of-interest rule is one ``containsAny``;
* a grant's ``agreement`` attribute is set only when the agreement is in the slice, so "no
  agreement on file" is a visible forbid rather than an evaluation error;
* Cedar has no "there exists a grant", so each candidate grant is one request (``context.grant``)
  in a batch; the decision permits if any request does;
* which grants are candidates: the default-deny explainer's reading of the permit conditions
  (holder, window, revocation, kind, coverage) skips grants that could never be permitted, to
  save Cedar requests. Cedar still checks those conditions on every candidate, and a property
  test shows the effect equals evaluating every grant in Cedar (``exhaustive=True``);
* the user's profile is sent as the command's code alone when every policy reads it only as
  ``principal.profile.contains(context.command.code)`` (``profile_for_command``, checked here
  at load): the same answer, and Cedar parses one value instead of dozens.

The schema is applied at load time only; per request the entity builder checks each value's
type instead (applying the schema per request cost more than the rest of a decision).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Literal

import cedarpy

from idrs.errors import IdrsError

SCHEMA_FILE = "idrs.cedarschema"
POLICY_SUFFIX = ".cedar"
REQUIRED_ANNOTATIONS = ("id", "scope", "reason")
_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# any read of a ``profile`` attribute: ``.profile``, ``["profile"]``, ``has profile``
_PROFILE_USE = re.compile(r'\.\s*profile\b|\[\s*"profile"\s*\]|\bhas\s+"?profile\b')
_PROFILE_BY_COMMAND = re.compile(
    r"\bprincipal\s*\.\s*profile\s*\.\s*contains\s*\(\s*context\s*\.\s*command\s*\.\s*code\s*\)"
)

Scope = Literal["request", "grant"]


class PolicyLoadError(IdrsError):
    """The policy files cannot be used: unreadable, unparsable, invalid or badly annotated."""


@dataclass(frozen=True)
class PolicyInfo:
    """What the explainer needs to know about one policy."""

    policy_id: str  # the @id annotation
    effect: Literal["permit", "forbid"]
    scope: Scope  # "request": about the user or the account; "grant": about one grant
    reason: str  # a reviewer-readable sentence
    source: str  # the file it came from
    order: int  # position in the policy files (name order, then text order): reasons sort by it


@dataclass(frozen=True)
class Policies:
    """The parsed, validated policy set and what is known about each policy."""

    policy_set: cedarpy.PolicySet
    schema: cedarpy.Schema
    policy_hash: str
    by_cedar_id: MappingProxyType[str, PolicyInfo]  # Cedar's positional id -> info
    by_id: MappingProxyType[str, PolicyInfo]  # @id -> info
    # every policy reads principal.profile only as .contains(context.command.code)
    profile_for_command: bool = False


def policy_hash(texts: dict[str, str]) -> str:
    """SHA-256 over ``{file name: text}`` in name order (name, byte length, bytes)."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        data = texts[name].encode("utf-8")
        digest.update(f"{name}\n{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def load_texts(schema_text: str, policy_texts: dict[str, str]) -> Policies:
    """Validate and parse one schema and ``{file name: policy text}``; raise on any fault."""
    if not policy_texts:
        raise PolicyLoadError("access policies: no *.cedar policy files found")
    try:
        schema = cedarpy.Schema.from_str(schema_text)
    except ValueError as exc:
        raise PolicyLoadError(f"access policies: {SCHEMA_FILE} does not parse: {exc}") from exc

    infos: dict[str, PolicyInfo] = {}
    chunks: list[str] = []
    for name in sorted(policy_texts):
        text = policy_texts[name]
        try:
            parsed = cedarpy.PolicySet.from_str(text).to_pst()
        except ValueError as exc:
            raise PolicyLoadError(f"access policies: {name} does not parse: {exc}") from exc
        if not parsed.static_policies:
            raise PolicyLoadError(f"access policies: {name} holds no policy")
        for _, template in sorted(parsed.static_policies.items(), key=_text_order):
            info = _info(name, template, len(infos))
            if info.policy_id in infos:
                raise PolicyLoadError(
                    f"access policies: {name}: @id {info.policy_id!r} is also used in "
                    f"{infos[info.policy_id].source}"
                )
            infos[info.policy_id] = info
        if parsed.templates:
            raise PolicyLoadError(f"access policies: {name}: templates are not used here")
        chunks.append(text)

    combined = "\n".join(chunks)
    result = cedarpy.validate_policies(combined, schema)
    if not result.validation_passed:
        names = result.id_annotations_by_policy_id
        problems = "; ".join(_where(names.get(e.policy_id), infos) + e.error for e in result.errors)
        raise PolicyLoadError(f"access policies do not validate against the schema: {problems}")

    policy_set = cedarpy.PolicySet.from_str(combined)
    by_cedar_id = {
        cedar_id: infos[template.annotations["id"]]
        for cedar_id, template in policy_set.to_pst().static_policies.items()
    }
    texts = {SCHEMA_FILE: schema_text, **policy_texts}
    return Policies(
        policy_set=policy_set,
        schema=schema,
        policy_hash=policy_hash(texts),
        by_cedar_id=MappingProxyType(by_cedar_id),
        by_id=MappingProxyType(infos),
        profile_for_command=profile_only_by_command(combined),
    )


def profile_only_by_command(policy_text: str) -> bool:
    """Whether the policies read a ``profile`` attribute only as
    ``principal.profile.contains(context.command.code)``. Comments and annotation texts are
    read too: a conservative test, where any other mention keeps the whole profile."""
    return not _PROFILE_USE.search(_PROFILE_BY_COMMAND.sub("", policy_text))


def _where(policy_id: str | None, infos: dict[str, PolicyInfo]) -> str:
    if policy_id is None or policy_id not in infos:
        return ""
    return f"{infos[policy_id].source}: [{policy_id}] "


def _text_order(item: tuple[str, object]) -> tuple[int, str]:
    """Cedar numbers the policies of one text ``policy0``, ``policy1``... in text order."""
    digits = item[0].removeprefix("policy")
    return (int(digits) if digits.isdigit() else -1, item[0])


def _info(source: str, template: cedarpy.pst.Template, order: int) -> PolicyInfo:
    notes = template.annotations
    missing = [key for key in REQUIRED_ANNOTATIONS if not notes.get(key, "").strip()]
    label = notes.get("id") or "a policy without @id"
    if missing:
        raise PolicyLoadError(
            f"access policies: {source}: {label} lacks " + ", ".join(f"@{k}" for k in missing)
        )
    if not _ID_PATTERN.match(notes["id"]):
        raise PolicyLoadError(f"access policies: {source}: @id {notes['id']!r} is not kebab-case")
    scope = notes["scope"]
    if scope not in ("request", "grant"):
        raise PolicyLoadError(
            f"access policies: {source}: {label}: @scope must be request or grant, got {scope!r}"
        )
    return PolicyInfo(
        policy_id=notes["id"],
        effect=template.effect,
        scope=scope,  # type: ignore[arg-type]
        reason=notes["reason"].strip(),
        source=source,
        order=order,
    )


def read_directory(directory: Traversable) -> tuple[str, dict[str, str]]:
    """The schema text and ``{name: text}`` of every ``*.cedar`` file in ``directory``."""
    schema_file = directory / SCHEMA_FILE
    if not schema_file.is_file():
        raise PolicyLoadError(f"access policies: {SCHEMA_FILE} not found in {directory}")
    policies = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in directory.iterdir()
        if entry.is_file() and entry.name.endswith(POLICY_SUFFIX)
    }
    return schema_file.read_text(encoding="utf-8"), policies


def load_directory(directory: Traversable) -> Policies:
    return load_texts(*read_directory(directory))


@cache
def current() -> Policies:
    """The packaged policies, loaded and validated once per process."""
    return load_directory(resources.files("idrs.access") / "policies")
