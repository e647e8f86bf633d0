"""The stand-alone offline verifier: export checks, the ``proof`` command, import purity."""

from __future__ import annotations

import ast
import base64
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import idrs.audit
from idrs.audit.canonical import canonical_json
from idrs.audit.checkpoint import Checkpoint, parse_verifier_key, sign_checkpoint, verifier_key
from idrs.audit.merkle import consistency_proof, inclusion_proof, leaf_hash, root
from idrs.audit.verify import (
    consistency_line,
    entry_line,
    header_line,
    main,
    verify_export,
)

ORIGIN = "idrs.example/audit"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
VERIFIER = parse_verifier_key(verifier_key(ORIGIN, KEY.public_key()))
ENTRIES = [
    canonical_json({"seq": i, "employee": f"E{i % 3}", "tin": f"9{i:08d}", "action": "view"})
    for i in range(20)
]
HASHES = [leaf_hash(e) for e in ENTRIES]


def note(size: int) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, root(HASHES[:size])), ORIGIN, KEY)


def build(first: int = 5, end: int = 12, size: int = 20, previous: int | None = 9) -> list[str]:
    """An export built from the reference generators, one string per line."""
    lines = [header_line(ORIGIN, first, end, note(size))]
    for i in range(first, end):
        lines.append(entry_line(i, ENTRIES[i], inclusion_proof(i, HASHES[:size])))
    if previous is not None:
        proof = consistency_proof(previous, HASHES[:size])
        lines.append(consistency_line(previous, proof, note(previous)))
    return [line + "\n" for line in lines]


def edit(lines: list[str], number: int, **changes: object) -> list[str]:
    """Replace fields of the JSON object on 1-based line ``number``."""
    out = list(lines)
    out[number - 1] = json.dumps({**json.loads(out[number - 1]), **changes}) + "\n"
    return out


def messages(lines: list[str]) -> list[str]:
    return [str(p) for p in verify_export(lines, VERIFIER).problems]


def test_valid_export_verifies() -> None:
    report = verify_export(build(), VERIFIER)
    assert report.problems == []
    assert (report.exit_code, report.entries, report.previous_size) == (0, 7, 9)
    assert report.summary().startswith(
        f"OK: 7 entries (indexes 5..11) verified against checkpoint {ORIGIN} size 20 root "
    )
    assert report.summary().endswith("; consistent with previous checkpoint size 9")


def test_export_lines_may_be_bytes_and_whole_log_without_consistency() -> None:
    lines = [line.encode() for line in build(0, 20, 20, None)]
    report = verify_export(lines, VERIFIER)
    assert report.ok and report.entries == 20 and report.previous_size is None


def test_tampered_entry_byte_is_reported_at_its_index() -> None:
    lines = build()
    raw = bytearray(ENTRIES[7])
    raw[10] ^= 1
    bad = edit(lines, 4, entry=base64.b64encode(bytes(raw)).decode())  # line 4 = index 7
    report = verify_export(bad, VERIFIER)
    assert report.exit_code == 1
    assert [str(p) for p in report.problems] == [
        "index 7 (line 4): inclusion proof: computed root does not match the checkpoint root"
    ]


def test_tampered_proof_hash_is_reported_at_its_index() -> None:
    lines = build()
    proof = json.loads(lines[5])["proof"]
    proof[2] = ("0" if proof[2][0] != "0" else "1") + proof[2][1:]
    assert messages(edit(lines, 6, proof=proof)) == [
        "index 9 (line 6): inclusion proof: computed root does not match the checkpoint root"
    ]
    assert messages(edit(lines, 6, proof=proof[:-1]))[0].startswith(
        "index 9 (line 6): inclusion proof: wrong length (expected 5 hashes, got 4)"
    )


def test_tampered_checkpoint_is_reported() -> None:
    lines = build()
    cp = json.loads(lines[0])["checkpoint"].replace("\n20\n", "\n21\n")
    report = verify_export(edit(lines, 1, checkpoint=cp), VERIFIER)
    assert report.exit_code == 1
    assert [str(p) for p in report.problems] == [
        f"line 1: checkpoint: signature by key {VERIFIER.label} does not verify"
    ]


def test_checkpoint_by_another_key_is_reported() -> None:
    other = parse_verifier_key(verifier_key(ORIGIN, Ed25519PrivateKey.generate().public_key()))
    report = verify_export(build(), other)
    assert [str(p) for p in report.problems] == [
        f"line 1: checkpoint: no signature by key {other.label}",
        f"line 9: previous checkpoint: no signature by key {other.label}",
    ]


def test_missing_and_out_of_order_entries_are_reported() -> None:
    lines = build()
    assert messages(lines[:3] + lines[4:]) == ["index 8 (line 4): entries: expected index 7"]
    assert messages(lines[:4]) == ["line 4: entries: export ends before index 12"]


def test_header_range_is_checked() -> None:
    assert messages(edit(build(), 1, to=25)) == [
        "line 1: header: 'to' (25) exceeds checkpoint size 20",
        "line 9: entries: export ends before index 25",
    ]
    assert "line 1: header: origin 'elsewhere' is not the checkpoint's" in messages(
        edit(build(), 1, origin="elsewhere")
    )


def test_consistency_proof_is_checked() -> None:
    lines = build()
    last = json.loads(lines[-1])
    proof = last["consistency"]["proof"]
    bad = edit(lines, 9, consistency={"from_size": 9, "proof": [proof[1], proof[0], *proof[2:]]})
    assert messages(bad) == [
        "line 9: consistency proof: computed old root does not match the previous checkpoint root"
    ]
    wrong_size = edit(lines, 9, consistency={"from_size": 8, "proof": proof})
    assert messages(wrong_size) == [
        "line 9: consistency proof: from_size 8 is not the previous checkpoint's size 9"
    ]
    forked = sign_checkpoint(Checkpoint(ORIGIN, 9, leaf_hash(b"fork")), ORIGIN, KEY)
    assert messages(edit(lines, 9, previous_checkpoint=forked)) == [
        "line 9: consistency proof: computed old root does not match the previous checkpoint root"
    ]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda ls: [*ls[:3], '{"index": 7, "entry": \n', *ls[4:]], "line 4: bad JSON"),
        (lambda ls: edit(ls, 4, entry="not base64!"), "line 4: field 'entry': bad base64"),
        (lambda ls: edit(ls, 4, proof=["zz"]), "line 4: field 'proof'[0]: bad hex"),
        (lambda ls: edit(ls, 4, index="7"), "line 4: field 'index': must be a non-negative"),
        (lambda ls: edit(ls, 1, format="v0"), "line 1: field 'format': expected"),
        (lambda ls: [ls[0].replace('"to"', '"until"'), *ls[1:]], "line 1: field 'to': missing"),
        (lambda ls: [*ls[:3], "[1, 2]\n", *ls[4:]], "line 4: expected a JSON object"),
        (lambda ls: [*ls, ls[3]], "line 10: unexpected line after the consistency proof"),
        (lambda ls: [*ls[:3], b"\xff\n", *ls[4:]], "line 4: not valid UTF-8"),
        (lambda ls: [], "line 1: missing header"),
    ],
)
def test_malformed_input_exits_2_naming_line_and_field(mutate, message: str) -> None:
    report = verify_export(mutate(build()), VERIFIER)
    assert report.exit_code == 2
    assert any(str(p).startswith(message) for p in report.problems), report.problems


def test_blank_lines_are_ignored() -> None:
    lines = build()
    assert verify_export([lines[0], "\n", *lines[1:], "\n"], VERIFIER).ok


# -- CLI -------------------------------------------------------------------------------------


@dataclass
class Files:
    key: Path
    export: Path
    checkpoint: Path
    entry: Path
    proof: Path


@pytest.fixture
def files(tmp_path: Path) -> Files:
    f = Files(*(tmp_path / n for n in ("key", "export.jsonl", "cp", "entry", "proof.json")))
    f.key.write_text(str(VERIFIER) + "\n")
    f.export.write_text("".join(build()))
    f.checkpoint.write_text(note(20))
    f.entry.write_bytes(ENTRIES[13])
    proof = [h.hex() for h in inclusion_proof(13, HASHES)]
    f.proof.write_text(json.dumps({"index": 13, "tree_size": 20, "hashes": proof}))
    return f


def test_module_runs_as_a_program(files: Files) -> None:
    src = Path(idrs.audit.__file__).parents[1]
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "idrs.audit.verify", "export", "--key", str(files.key)]
    ok = subprocess.run([*cmd, str(files.export)], capture_output=True, text=True, env=env)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout.startswith("OK: 7 entries (indexes 5..11)")
    files.export.write_text("".join(build()[:3]) + "{oops\n")
    bad = subprocess.run([*cmd, str(files.export)], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stdout + bad.stderr
    assert bad.stdout.splitlines()[0].startswith("line 4: bad JSON")


def proof_args(f: Files) -> list[str]:
    return [
        "proof", "--key", str(f.key), "--checkpoint", str(f.checkpoint), "--entry", str(f.entry),
        "--index", "13", "--proof", str(f.proof),
    ]  # fmt: skip


def test_proof_command(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(proof_args(files)) == 0
    assert capsys.readouterr().out.startswith("OK: 1 entries (indexes 13..13)")
    files.entry.write_bytes(ENTRIES[12])
    assert main(proof_args(files)) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "index 13: inclusion proof: computed root does not match the checkpoint root"
    )


def test_proof_command_checks_the_proof_file_against_the_checkpoint(
    files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(files.proof.read_text())
    files.proof.write_text(json.dumps({**doc, "tree_size": 19}))
    assert main(proof_args(files)) == 1
    out = capsys.readouterr().out
    assert "index 13: proof file: tree_size 19 is not the checkpoint's size 20" in out


@pytest.mark.parametrize(
    ("target", "content", "message"),
    [
        ("proof", "{not json", "proof file: bad JSON"),
        ("proof", '{"index": 13, "tree_size": 20}', "proof file: field 'hashes': missing"),
        ("key", "garbage", "error: checkpoint: verifier key must be"),
        ("checkpoint", None, "error: "),
    ],
)
def test_proof_command_malformed_input_exits_2(
    files: Files, capsys: pytest.CaptureFixture[str], target: str, content: str | None, message: str
) -> None:
    path = getattr(files, target)
    if content is None:
        path.unlink()
    else:
        path.write_text(content)
    assert main(proof_args(files)) == 2
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


# -- import purity ---------------------------------------------------------------------------

PURE = ("canonical", "merkle", "checkpoint", "verify")
ALLOWED_IDRS = {"idrs", "idrs.audit", *(f"idrs.audit.{m}" for m in PURE)}


def test_pure_modules_import_only_stdlib_cryptography_and_each_other() -> None:
    base = Path(idrs.audit.__file__).parent
    for name in PURE:
        tree = ast.parse((base / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{name}: relative import"
                mods = [node.module or ""]
            else:
                continue
            for mod in mods:
                top = mod.split(".")[0]
                ok = top in sys.stdlib_module_names or top == "cryptography" or mod in ALLOWED_IDRS
                assert ok, f"idrs.audit.{name} imports {mod}"


def test_importing_the_verifier_loads_no_other_idrs_or_third_party_code() -> None:
    src = Path(idrs.audit.__file__).parents[1]
    code = (
        "import sys; before = set(sys.modules); import idrs.audit.verify; "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(src)},
    ).stdout.split()
    assert "idrs.audit.verify" in loaded
    # cryptography's compiled bindings register as top-level _openssl and _cffi_backend.
    third_party = {"cryptography", "_openssl", "_cffi_backend"}
    tops = {m.split(".")[0] for m in loaded} - set(sys.stdlib_module_names) - third_party
    assert tops == {"idrs"}
    assert {m for m in loaded if m.split(".")[0] == "idrs"} <= ALLOWED_IDRS
