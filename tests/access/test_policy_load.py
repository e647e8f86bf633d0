"""The policies load once, validate against the schema, and a broken policy stops the start-up.

A policy that does not parse, names an attribute the schema lacks, compares a Long to a String,
or lacks its ``@id``/``@scope``/``@reason`` must be refused when the policies are loaded, with a
message naming the file or the policy, never discovered on some request later.
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import cedarpy
import pytest

from idrs.access.policy import (
    SCHEMA_FILE,
    PolicyLoadError,
    current,
    load_directory,
    load_texts,
    policy_hash,
    profile_only_by_command,
    read_directory,
)

PACKAGED = resources.files("idrs.access") / "policies"

GOOD = """
@id("forbid-test")
@scope("request")
@reason("A test rule.")
forbid (principal, action, resource) when { principal.status != "active" };
"""


def _texts() -> tuple[str, dict[str, str]]:
    return read_directory(PACKAGED)


def test_packaged_policies_validate_against_the_schema() -> None:
    schema, texts = _texts()
    combined = "\n".join(texts[name] for name in sorted(texts))
    result = cedarpy.validate_policies(combined, cedarpy.Schema.from_str(schema))
    assert result.validation_passed, [str(e) for e in result.errors]
    assert {"permit.cedar", "forbid_relationships.cedar", "forbid_status.cedar"} <= set(texts)


def test_current_is_loaded_once_and_every_policy_is_annotated() -> None:
    policies = current()
    assert current() is policies
    assert len(policies.by_cedar_id) == len(policies.by_id) >= 20
    for info in policies.by_id.values():
        assert info.reason.endswith(".") and len(info.reason) > 20, info.policy_id
        assert info.policy_id.startswith(info.effect), info.policy_id
    permits = {i.policy_id for i in policies.by_id.values() if i.effect == "permit"}
    assert permits == {"permit-account-under-grant", "permit-name-search-under-open-record"}


def test_no_policy_reads_clearance_or_rank_to_permit() -> None:
    """Rank, role and clearance grant nothing: the permit policies never mention them."""
    _, texts = _texts()
    code = {name: re.sub(r"//.*", "", text) for name, text in texts.items()}
    assert "clearance" not in "".join(code.values())
    assert "executive" not in "".join(code.values())
    assert "roles" not in code["permit.cedar"]


def test_policy_hash_covers_schema_and_every_policy_text() -> None:
    schema, texts = _texts()
    base = policy_hash({SCHEMA_FILE: schema, **texts})
    assert current().policy_hash == base
    assert len(base) == 64
    changed = {SCHEMA_FILE: schema, **texts, "permit.cedar": texts["permit.cedar"] + "\n"}
    assert policy_hash(changed) != base
    assert policy_hash({SCHEMA_FILE: schema + " ", **texts}) != base
    # name and length are framed: moving text between files changes the hash
    assert policy_hash({"a": "xy", "b": ""}) != policy_hash({"a": "x", "b": "y"})


def test_load_directory_reads_a_copy(tmp_path: Path) -> None:
    for name in (SCHEMA_FILE, "permit.cedar", "forbid_status.cedar"):
        shutil.copy(str(PACKAGED / name), tmp_path / name)
    loaded = load_directory(tmp_path)
    assert "forbid-inactive-user" in loaded.by_id
    assert "forbid-own-account" not in loaded.by_id


def _load_with(extra: str) -> None:
    schema, texts = _texts()
    load_texts(schema, {**texts, "zz_extra.cedar": extra})


def test_broken_syntax_is_refused_naming_the_file() -> None:
    with pytest.raises(PolicyLoadError, match=r"zz_extra\.cedar does not parse"):
        _load_with('@id("x") forbid (principal, action, resource) when { principal.status == ')


def test_unknown_attribute_is_refused_naming_the_policy() -> None:
    broken = GOOD.replace("principal.status", "principal.statuss")
    with pytest.raises(PolicyLoadError, match=r"do not validate.*\[forbid-test\].*statuss"):
        _load_with(broken)


def test_type_error_is_refused() -> None:
    broken = GOOD.replace('principal.status != "active"', "principal.status > 3")
    with pytest.raises(PolicyLoadError, match=r"\[forbid-test\]"):
        _load_with(broken)


@pytest.mark.parametrize("annotation", ["id", "scope", "reason"])
def test_missing_annotation_is_refused(annotation: str) -> None:
    lines = [line for line in GOOD.splitlines() if not line.startswith(f"@{annotation}(")]
    with pytest.raises(PolicyLoadError, match=rf"zz_extra\.cedar: .*lacks @{annotation}"):
        _load_with("\n".join(lines))


def test_duplicate_id_is_refused() -> None:
    duplicate = GOOD.replace("forbid-test", "forbid-own-account")
    with pytest.raises(PolicyLoadError, match=r"forbid-own-account.*also used in"):
        _load_with(duplicate)


def test_unknown_scope_is_refused() -> None:
    with pytest.raises(PolicyLoadError, match="@scope must be request or grant"):
        _load_with(GOOD.replace('@scope("request")', '@scope("sometimes")'))


def test_broken_schema_is_refused() -> None:
    _, texts = _texts()
    with pytest.raises(PolicyLoadError, match=r"idrs\.cedarschema does not parse"):
        load_texts("entity User = {", texts)


def test_missing_schema_file_is_refused(tmp_path: Path) -> None:
    shutil.copy(str(PACKAGED / "permit.cedar"), tmp_path / "permit.cedar")
    with pytest.raises(PolicyLoadError, match=r"idrs\.cedarschema not found"):
        load_directory(tmp_path)


def test_no_policies_is_refused() -> None:
    schema, _ = _texts()
    with pytest.raises(PolicyLoadError, match=r"no \*\.cedar policy files"):
        load_texts(schema, {})


def test_profile_is_trimmed_only_when_read_as_contains_command_code() -> None:
    assert current().profile_for_command
    assert profile_only_by_command("principal.profile.contains(context.command.code)")
    assert profile_only_by_command('@reason("a high-profile account; the user\'s profile")')
    for other in (
        'principal.profile.contains("TXMOD")',
        "principal.profile.isEmpty()",
        'principal has profile && principal["profile"].contains(context.command.code)',
        "principal . profile . containsAll(context.codes)",
    ):
        assert not profile_only_by_command(other), other
    schema, texts = _texts()
    extra = (
        '@id("zz-profile") @scope("request") @reason("r")\n'
        "forbid (principal, action, resource) when { principal.profile.isEmpty() };"
    )
    assert not load_texts(schema, {**texts, "zz_extra.cedar": extra}).profile_for_command
